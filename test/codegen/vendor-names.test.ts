/**
 * Names that read like the vendor's own SDK, on documents in the three styles people have:
 * path-spelled operationIds (Stripe), tag + operationId (Slack, GitHub), version-named tags
 * and no operationIds at all (Twilio, and specs written by hand). The client tree is what
 * the generator emits (its action table), so the test sees what a developer autocompletes.
 * GitHub's names must not move: a rename is a breaking change for every generated client.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateClient } from "../../src/codegen/index.js";
import type { IntegrationDefinition } from "../../src/contract/integrations.js";
import type { SdkManifest } from "../../src/contract/sdk.js";
import { importDocument } from "../../src/importer/index.js";
import { fixture } from "../../src/importer/test-server.js";
import { COMPILE_TIMEOUT_MS, diagnose, formatDiagnostic, removeDir, settings, writeFiles } from "./support/compile.js";
import { githubManifest } from "./support/github-manifest.js";

async function imported(content: string, slug: string): Promise<IntegrationDefinition> {
  const outcome = await importDocument({ kind: "content", content, filename: `${slug}.json` }, { slug });
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  return outcome.definition;
}

function manifestOf(definition: IntegrationDefinition): SdkManifest {
  return {
    hash: "sha256:test",
    apiUrl: "https://api.waygate.test",
    tenantId: "ten_1",
    appId: null,
    integrations: [
      {
        slug: definition.slug,
        name: definition.name,
        description: definition.description ?? null,
        version: 1,
        contentHash: "sha256:test",
        baseUrl: definition.baseUrl,
        authSchemes: definition.authSchemes,
        authTypeUnverified: definition.authTypeUnverified,
        actions: definition.actions,
      },
    ],
  };
}

/**
 * The client's action table (`name METHOD flags` per line) as `wg.<slug>.<name> METHOD`, sorted: the integration
 * module's, or, where it lists its groups to load later (`issues`, a path alone), its own rows and its groups' modules' tables.
 */
function clientTree(files: Map<string, string>, slug: string): string[] {
  const tableOf = (text = ""): string[] => (/^(?:export )?const (?:ACTIONS|actionTable) = `\n([^`]*)`;$/m.exec(text)?.[1] ?? "").split("\n").filter((line) => line !== "");
  const own = tableOf(files.get(`${slug}.ts`));
  const groupsLoadLater = own.some((line) => !line.includes(" "));
  const groups = [...files].filter(([path]) => path.startsWith(`${slug}.`) && /^[^.]+\.[^.]+\.js$/.test(path)).flatMap(([, text]) => tableOf(text));
  return [...own.filter((line) => line.includes(" ")), ...(groupsLoadLater ? groups : [])]
    .sort()
    .map((line) => line.split(" "))
    .map(([name, method]) => `wg.${slug}.${name} ${method}`);
}

const TWILIO_STYLE = {
  openapi: "3.0.1",
  info: { title: "Twilio - Api (excerpt)", version: "1.0.0" },
  servers: [{ url: "https://api.twilio.com" }],
  components: { securitySchemes: { accountSid_authToken: { type: "http", scheme: "basic" } } },
  security: [{ accountSid_authToken: [] }],
  paths: Object.fromEntries(
    Object.entries({
      "/2010-04-01/Accounts.json": { get: "ListAccount", post: "CreateAccount" },
      "/2010-04-01/Accounts/{Sid}.json": { get: "FetchAccount", post: "UpdateAccount" },
      "/2010-04-01/Accounts/{AccountSid}/Messages.json": { get: "ListMessage", post: "CreateMessage" },
      "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json": { get: "FetchMessage", post: "UpdateMessage", delete: "DeleteMessage" },
      "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json": { get: "ListMedia" },
      "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json": { get: "FetchMedia", delete: "DeleteMedia" },
      "/2010-04-01/Accounts/{AccountSid}/Queues.json": { get: "ListQueue", post: "CreateQueue" },
      "/2010-04-01/Accounts/{AccountSid}/Queues/{Sid}.json": { get: "FetchQueue", post: "UpdateQueue", delete: "DeleteQueue" },
      "/2010-04-01/Accounts/{AccountSid}/Calls.json": { get: "ListCall", post: "CreateCall" },
      "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json": { get: "ListCallRecording", post: "CreateCallRecording" },
      "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json": { get: "FetchIncomingPhoneNumber", delete: "DeleteIncomingPhoneNumber" },
    }).map(([path, methods]) => [
      path,
      Object.fromEntries(
        Object.entries(methods).map(([method, operationId]) => [
          method,
          {
            operationId,
            tags: [`Api20100401${operationId.replace(/^(List|Create|Fetch|Update|Delete)/, "")}`],
            parameters: [...path.matchAll(/\{(\w+)\}/g)].map((match) => ({ in: "path", name: match[1], required: true, schema: { type: "string" } })),
            responses: { "200": { description: "OK" } },
          },
        ]),
      ),
    ]),
  ),
};

const NO_OPERATION_IDS = {
  openapi: "3.1.0",
  info: { title: "Projects", version: "2" },
  servers: [{ url: "https://projects.example.com" }],
  paths: {
    "/api/v2/projects": { get: { responses: { "200": { description: "" } } }, post: { responses: { "201": { description: "" } } } },
    "/api/v2/projects/{projectId}": {
      get: { responses: { "200": { description: "" } } },
      patch: { responses: { "200": { description: "" } } },
      delete: { responses: { "204": { description: "" } } },
    },
    "/api/v2/projects/{projectId}/archive": { post: { responses: { "204": { description: "" } } } },
    "/api/v2/projects/{projectId}/members": { get: { responses: { "200": { description: "" } } }, put: { responses: { "200": { description: "" } } } },
    "/api/v2/projects/search": { post: { responses: { "200": { description: "" } } } },
    "/api/v2/me/profile": { get: { responses: { "200": { description: "" } } } },
  },
};

let stripeFiles: Map<string, string>;
let dir: string;

beforeAll(async () => {
  stripeFiles = generateClient(manifestOf(await imported(await fixture("shapes/stripe-style.json"), "stripe")), { generatorVersion: "0.0.0-test" });
  dir = writeFiles(new Map([...stripeFiles].map(([path, text]) => [`waygate/${path}`, text])));
});

afterAll(() => removeDir(dir));

describe("names that read like the vendor's SDK", () => {
  test("Stripe's path-spelled operationIds become nested resources with verbs", () => {
    expect(clientTree(stripeFiles, "stripe")).toEqual([
      "wg.stripe.customers.balanceTransactions.retrieve GET",
      "wg.stripe.customers.create POST",
      "wg.stripe.customers.delete DELETE",
      "wg.stripe.customers.list GET",
      "wg.stripe.customers.retrieve GET",
      "wg.stripe.customers.search GET",
      "wg.stripe.customers.taxIds.create POST",
      "wg.stripe.customers.taxIds.delete DELETE",
      "wg.stripe.customers.taxIds.list GET",
      "wg.stripe.customers.update POST",
      "wg.stripe.invoices.pay POST",
      "wg.stripe.invoices.retrieve GET",
      "wg.stripe.subscriptions.create POST",
    ]);
    // Stripe's lists page by the last item's id: the client offers `paginate()` on them.
    expect(stripeFiles.get("stripe.customers.js")).toMatch(/\ncustomers\.list GET \*/);
    expect(stripeFiles.get("stripe.customers.js")).toMatch(/\ncustomers\.retrieve GET\n/);
  });

  test(
    "the Stripe-style client, with form fields as top-level inputs, compiles under the strictest flags",
    () => {
      const found = diagnose(dir, ["waygate/index.ts", "waygate/stripe.ts", "waygate/stripe.types.d.ts", "waygate/runtime.d.ts"], settings("strictest", "bundler"));
      expect(found.map(formatDiagnostic)).toEqual([]);
      const types = stripeFiles.get("stripe.types.d.ts") ?? "";
      expect(types).toMatch(/export type CustomersUpdateInput = \{[^}]*customer: string;/s);
      expect(types).toMatch(/export type CustomersUpdateInput = \{[^}]*metadata\?:/s);
    },
    COMPILE_TIMEOUT_MS,
  );

  test("Slack's tag + operationId names stay as Slack writes them", async () => {
    const definition = await imported(await fixture("shapes/slack-style.json"), "slack");
    const files = generateClient(manifestOf(definition), { generatorVersion: "0.0.0-test" });
    expect(clientTree(files, "slack")).toEqual(["wg.slack.auth.test GET", "wg.slack.chat.postMessage POST", "wg.slack.conversations.create POST", "wg.slack.conversations.list GET"]);
    // Slack has descriptions only: the first sentence is the summary.
    expect(definition.actions.find((action) => action.name === "chat.postMessage")?.summary).toBe("Sends a message to a channel.");
  });

  test("Twilio's version-named tags give way to resources from the path (version, .json and the Accounts scope dropped)", async () => {
    const definition = await imported(JSON.stringify(TWILIO_STYLE), "twilio");
    const files = generateClient(manifestOf(definition), { generatorVersion: "0.0.0-test" });
    expect(clientTree(files, "twilio")).toEqual([
      "wg.twilio.accounts.create POST",
      "wg.twilio.accounts.list GET",
      "wg.twilio.accounts.retrieve GET",
      "wg.twilio.accounts.update POST",
      "wg.twilio.calls.create POST",
      "wg.twilio.calls.list GET",
      "wg.twilio.calls.recordings.create POST",
      "wg.twilio.calls.recordings.list GET",
      "wg.twilio.incomingPhoneNumbers.delete DELETE",
      "wg.twilio.incomingPhoneNumbers.retrieve GET",
      "wg.twilio.messages.create POST",
      "wg.twilio.messages.delete DELETE",
      "wg.twilio.messages.list GET",
      "wg.twilio.messages.media.delete DELETE",
      "wg.twilio.messages.media.list GET",
      "wg.twilio.messages.media.retrieve GET",
      "wg.twilio.messages.retrieve GET",
      "wg.twilio.messages.update POST",
      "wg.twilio.queues.create POST",
      "wg.twilio.queues.delete DELETE",
      "wg.twilio.queues.list GET",
      "wg.twilio.queues.retrieve GET",
      "wg.twilio.queues.update POST",
    ]);
  });

  test("a spec without operationIds gets resource names, actions and singletons from method and path", async () => {
    const definition = await imported(JSON.stringify(NO_OPERATION_IDS), "projects");
    expect(definition.actions.map((action) => `${action.method} ${action.path} ${action.name}`)).toEqual([
      "GET /api/v2/me/profile me.profile.retrieve",
      "POST /api/v2/projects/{projectId}/archive projects.archive",
      "POST /api/v2/projects projects.create",
      "DELETE /api/v2/projects/{projectId} projects.delete",
      "GET /api/v2/projects projects.list",
      "GET /api/v2/projects/{projectId}/members projects.members.list",
      "PUT /api/v2/projects/{projectId}/members projects.members.update",
      "GET /api/v2/projects/{projectId} projects.retrieve",
      "POST /api/v2/projects/search projects.search",
      "PATCH /api/v2/projects/{projectId} projects.update",
    ]);
  });

  test("names are stable: the same operations in another order and beside new ones keep their names", async () => {
    const reordered = { ...NO_OPERATION_IDS, paths: Object.fromEntries(Object.entries(NO_OPERATION_IDS.paths).reverse()) };
    const grown = { ...reordered, paths: { ...reordered.paths, "/api/v2/teams": { get: { responses: { "200": { description: "" } } } } } };
    const before = await imported(JSON.stringify(NO_OPERATION_IDS), "projects");
    const after = await imported(JSON.stringify(grown), "projects");
    const names = (definition: IntegrationDefinition) => new Map(definition.actions.map((action) => [`${action.method} ${action.path}`, action.name]));
    const afterNames = names(after);
    for (const [route, name] of names(before)) expect(afterNames.get(route)).toBe(name);
    expect(afterNames.get("GET /api/v2/teams")).toBe("teams.list");
  });

  test(
    "GitHub's 1,200 action names do not change (recorded before resource naming existed)",
    async () => {
      const recorded = readFileSync(new URL("../../fixtures/importer/shapes/github-action-names.txt", import.meta.url), "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.split(" ") as [string, string, string]);
      const current = new Map((await githubManifest()).integrations[0]!.actions.map((action) => [`${action.method} ${action.path}`, action.name]));
      expect(recorded.length).toBeGreaterThan(1000);
      const moved = recorded.filter(([method, path, name]) => current.has(`${method} ${path}`) && current.get(`${method} ${path}`) !== name);
      expect(moved).toEqual([]);
      expect(recorded.filter(([method, path]) => current.has(`${method} ${path}`)).length).toBe(recorded.length);
    },
    COMPILE_TIMEOUT_MS,
  );
});
