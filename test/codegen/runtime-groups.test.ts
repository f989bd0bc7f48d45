/**
 * Groups whose actions load later: index.ts and an integration's module (slack.ts) list a
 * group (`chat/`) without its actions, and the runtime loads the group's module
 * (slack.chat.js, through slack.groups.lazy.js) with `import()` when one of its actions is
 * first called. Until then the group is a Proxy that stands in for its members. Each test
 * loads a client of its own (its own runtime.js), so no other test has loaded a group
 * before it; calls go to a fake Waygate on loopback HTTP.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateClient } from "../../src/codegen/index.js";
import { removeDir, repoRoot, transpile, writeFiles } from "./support/compile.js";
import { startFakeWaygate, type FakeWaygate } from "./support/fake-waygate.js";
import { at, type Call, type GeneratedModule, type Paged, type RawRequest, type WaygateClient } from "./support/load-client.js";
import { loadManifest } from "./support/manifests.js";
import { collect, rejection } from "./support/runtime-setup.js";

let waygate: FakeWaygate;
const dirs: string[] = [];
// The small manifest's tables are short enough to stay whole by default; 0 makes them load as GitHub's do.
const files = generateClient(loadManifest("client-manifest.json"), { generatorVersion: "0.0.0-test", lazyGroupsAboveBytes: 0 });

beforeAll(async () => {
  waygate = await startFakeWaygate();
});
afterAll(async () => {
  await waygate.close();
  dirs.forEach(removeDir);
});

/**
 * A client over a fresh copy of the small manifest's client, of which only index.js is
 * imported (as an application does): no group module is loaded yet. Resets the fake.
 */
async function freshClient(options: Record<string, unknown> = {}): Promise<{ wg: WaygateClient; client: { module: GeneratedModule; dir: string } }> {
  const dir = writeFiles(files);
  dirs.push(dir);
  transpile(files, dir);
  const module = (await import(pathToFileURL(join(dir, "index.js")).href)) as GeneratedModule;
  waygate.reset();
  const wg = module.createWaygate({ apiKey: waygate.key, baseUrl: waygate.url, ...options }) as WaygateClient;
  return { wg, client: { module, dir } };
}

const keys = (node: unknown): string[] => Object.keys(node as object);

describe("a group whose module is not loaded yet", () => {
  test("is an empty object until one of its actions is called; then it holds its members, for this client and every later one", async () => {
    const { wg, client } = await freshClient();
    const chat = at<Record<string, unknown>>(wg, "slack.chat");
    expect([keys(chat), "postMessage" in chat, Object.hasOwn(chat, "postMessage")]).toEqual([[], false, false]);
    const standIn = at<Call>(chat, "postMessage");
    expect(typeof standIn).toBe("function");
    expect(at(wg, "slack.chat.postMessage")).toBe(standIn);
    expect(waygate.received).toHaveLength(0);

    waygate.on("slack", "chat.postMessage", () => ({ body: { ok: true } }));
    expect(await standIn({ channel: "C1", text: "hi" })).toEqual({ ok: true });
    expect(waygate.received.map((request) => request.url)).toEqual(["/v1/invoke/slack/chat.postMessage"]);
    // Loaded: the group holds the real action, as a group bound at once does; other groups are still not loaded.
    expect(keys(chat)).toEqual(["postMessage"]);
    expect(at(wg, "slack.chat.postMessage")).not.toBe(standIn);
    expect(at<Call>(wg, "slack.chat.postMessage").name).toBe("slack.chat.postMessage");
    expect(keys(at(wg, "slack.users"))).toEqual([]);
    const later = client.module.createWaygate({ apiKey: waygate.key, baseUrl: waygate.url }) as WaygateClient;
    expect(keys(at(later, "slack.chat"))).toEqual(["postMessage"]);
    expect(keys(at(wg.withOptions({ app: "web" }), "slack.chat"))).toEqual(["postMessage"]);
  });

  test("the integration's keys are its groups and actions in member order; request() and withOptions are there as before", async () => {
    const { wg } = await freshClient();
    expect(keys(wg)).toEqual(["acmeCrm", "slack", "tasks"]);
    expect(keys(at(wg, "acmeCrm"))).toEqual(["contacts", "deals", "events", "ping", "reports"]);
    expect(keys(at(wg, "slack"))).toEqual(["chat", "conversations", "users"]);
    waygate.onProxy("tasks", () => ({ body: { raw: true } }));
    expect(await at<RawRequest>(wg, "tasks.request")("GET /tasks")).toEqual({ raw: true });
    // `ping` is outside any group: bound at once from acme-crm.ts's own table.
    await at(wg, "acmeCrm.ping")();
    expect(waygate.received.map((request) => request.url)).toEqual(["/v1/proxy/tasks", "/v1/invoke/acme-crm/ping"]);
  });

  test("stand-ins are named like the action, for stack traces, and so are withResponse, batch, pages and paginate", async () => {
    const { wg } = await freshClient({ retries: 0 });
    const list = at<Paged & { batch: () => unknown }>(wg, "slack.conversations.list");
    expect([list.name, list.withResponse.name, list.batch.name, list.pages.name, list.paginate.name]).toEqual([
      "slack.conversations.list",
      "slack.conversations.list.withResponse",
      "slack.conversations.list.batch",
      "slack.conversations.list.pages",
      "slack.conversations.list.paginate",
    ]);
    waygate.on("slack", "users.info", () => ({ hangUp: true }));
    const error = await rejection(at(wg, "slack.users.info")({ user: "U1" }));
    expect(error.stack).toMatch(/\n\s+at (async )?slack\.users\.info \(/);
  });

  test("withResponse, paginate and pages through stand-ins call the loaded action's own", async () => {
    const twoPages = (): void =>
      waygate.on("slack", "conversations.list", (request) =>
        request.body.page ? { body: { channels: [{ id: "C2", name: "b" }] } } : { body: { channels: [{ id: "C1", name: "a" }] }, headers: { "x-waygate-next-page": "p2" } },
      );
    const { wg } = await freshClient();
    twoPages();
    const items = await collect(at<Paged>(wg, "slack.conversations.list").paginate({ limit: 1 }));
    expect(items).toEqual([{ id: "C1", name: "a" }, { id: "C2", name: "b" }]);
    const fresh = await freshClient();
    twoPages();
    const pages = await collect(at<Paged>(fresh.wg, "slack.conversations.list").pages());
    expect(pages.map((page) => page.items.length)).toEqual([1, 1]);
    const another = await freshClient();
    waygate.on("slack", "users.info", () => ({ body: { ok: true, user: { id: "U1" } }, headers: { etag: '"v1"' } }));
    const response = await at<Call>(another.wg, "slack.users.info").withResponse({ user: "U1" });
    expect([response.data, response.status, response.headers.get("etag")]).toEqual([{ ok: true, user: { id: "U1" } }, 200, '"v1"']);
  });

  test("a nested group (contacts.tags) is a group before the module is loaded, and its actions work", async () => {
    const { wg } = await freshClient();
    const tags = at<Record<string, unknown>>(wg, "acmeCrm.contacts.tags");
    expect(typeof tags).toBe("object");
    waygate.on("acme-crm", "contacts.tags.replace", () => ({ body: { tags: ["a"] } }));
    expect(await at(tags, "replace")({ id: 1, tags: ["a"] })).toEqual({ tags: ["a"] });
    expect(keys(tags)).toEqual(["replace"]);
    expect(keys(at(wg, "acmeCrm.contacts"))).toEqual(["delete", "list", "tags"]);
  });

  test("an action the group does not have, called from untyped JavaScript, rejects with a Waygate TypeError naming it, and sends nothing", async () => {
    const { wg } = await freshClient();
    const missing = await rejection(at(wg, "slack.chat.postMesage")({ channel: "C1" }));
    expect([missing.constructor, missing.message]).toEqual([TypeError, "Waygate: slack.chat.postMesage is not an action of this client"]);
    const notPaged = await rejection(collect(at<Paged>((await freshClient()).wg, "slack.chat.postMessage").paginate()));
    expect([notPaged.constructor, notPaged.message]).toEqual([TypeError, "Waygate: slack.chat.postMessage has no paginate()"]);
    expect(waygate.received).toEqual([]);
    // Once loaded, the group is an ordinary object: a missing member is undefined.
    expect(at(wg, "slack.chat.postMesage")).toBeUndefined();
  });

  test("awaiting it, JSON, String and inspect see a plain object, and load nothing", async () => {
    const { wg } = await freshClient();
    const chat = at<Record<string, unknown>>(wg, "slack.chat");
    expect(await Promise.resolve(chat)).toBe(chat);
    expect([JSON.stringify(chat), String(chat), inspect(chat), Object.getPrototypeOf(chat) === Object.prototype]).toEqual(["{}", "[object Object]", "{}", true]);
    expect([chat["then"], chat["toJSON"], chat["constructor"], chat[Symbol.iterator as unknown as string]]).toEqual([undefined, undefined, Object, undefined]);
    expect(() => inspect(wg, { depth: 5 })).not.toThrow();
    // A group read is a data property (inspect shows the Proxy's target); one not read yet is the getter that binds it.
    expect(inspect(at(wg, "slack"))).toMatch(/^\{ chat: \{\}, conversations: \[Getter\/Setter\], users: \[Getter\/Setter\] \}$/);
    // Reading a stand-in loads nothing.
    expect(typeof at(wg, "slack.users.info")).toBe("function");
    expect(keys(chat)).toEqual([]);
    waygate.on("slack", "chat.postMessage", () => ({ body: { ok: true } }));
    await at(chat, "postMessage")({ channel: "C1" });
    expect(inspect(chat)).toMatch(/postMessage: \[AsyncFunction: slack\.chat\.postMessage\]/);
  });

  test("a module that fails to load rejects the call, and the next call tries again", async () => {
    const { wg, client } = await freshClient();
    const modules = ["slack.users.js"].map((file) => join(client.dir, file));
    for (const module of modules) renameSync(module, `${module}.away`);
    try {
      const failed = await rejection(at(wg, "slack.users.info")({ user: "U1" }));
      expect(String(failed.message)).toContain("slack.users");
    } finally {
      for (const module of modules) renameSync(`${module}.away`, module);
    }
    waygate.on("slack", "users.info", () => ({ body: { ok: true } }));
    expect(await at(wg, "slack.users.info")({ user: "U1" })).toEqual({ ok: true });
    expect(waygate.received.map((request) => request.url)).toEqual(["/v1/invoke/slack/users.info"]);
  });

  test("what was set on a group before its module loaded (a test's spy) stays when the module loads", async () => {
    const { wg } = await freshClient();
    const contacts = at<Record<string, unknown>>(wg, "acmeCrm.contacts");
    const spy = async (): Promise<string> => "spied";
    contacts["list"] = spy;
    waygate.on("acme-crm", "contacts.delete", () => ({ status: 204 }));
    await at(contacts, "delete")({ id: 1 });
    expect(keys(contacts)).toEqual(["list", "delete", "tags"]);
    expect([contacts["list"], await at(contacts, "list")()]).toEqual([spy, "spied"]);
    expect(waygate.received.map((request) => request.url)).toEqual(["/v1/invoke/acme-crm/contacts.delete"]);
  });

  test("in Node itself, without vitest's resolver: the .js files alone load a group on its first call", async () => {
    const { client } = await freshClient();
    const script = join(client.dir, "run.mjs");
    writeFileSync(
      script,
      [
        `import { createWaygate } from "./index.js";`,
        `const seen = [];`,
        `const fetch = async (url) => { seen.push(url); return new Response('{"ok":true}', { headers: { "content-type": "application/json" } }); };`,
        `const wg = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com", fetch });`,
        `const before = Object.keys(wg.slack.chat);`,
        `const result = await wg.slack.chat.postMessage({ channel: "C1" });`,
        `console.log(JSON.stringify({ before, result, after: Object.keys(wg.slack.chat), seen }));`,
      ].join("\n"),
    );
    // Node loads ./slack.chat.js as generated: a group's module is JavaScript (with its .d.ts beside it for compilers).
    const output = execFileSync(process.execPath, [script], { cwd: client.dir, encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ before: [], result: { ok: true }, after: ["postMessage"], seen: ["https://waygate.example.com/v1/invoke/slack/chat.postMessage"] });
  });

  test("a plain tsc build (allowJs, an include glob over src/) checks the whole client folder, copies its .js files, and the built app loads a group", () => {
    const project = mkdtempSync(join(tmpdir(), "waygate-plain-tsc-"));
    dirs.push(project);
    writeFiles(files, join(project, "src/waygate"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "NodeNext", target: "ES2022", lib: ["ES2022", "DOM"], types: [], strict: true, allowJs: true, skipLibCheck: true, outDir: "dist", rootDir: "src" }, include: ["src"] }),
    );
    writeFileSync(
      join(project, "src/app.ts"),
      [
        `import { createWaygate } from "./waygate/index.js";`,
        `const seen: string[] = [];`,
        `const fetch = async (url: string) => { seen.push(url); return new Response('{"ok":true}', { headers: { "content-type": "application/json" } }); };`,
        `const wg = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com", fetch });`,
        `const result: unknown = await wg.slack.chat.postMessage({ channel: "C1" });`,
        `console.log(JSON.stringify({ result, after: Object.keys(wg.slack.chat), seen }));`,
      ].join("\n"),
    );
    const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
    const built = spawnSync(process.execPath, [tsc, "-p", project, "--pretty", "false"], { encoding: "utf8" });
    expect({ status: built.status, output: built.stdout + built.stderr }).toEqual({ status: 0, output: "" });
    // The group modules and their loader reach the output as the runtime does.
    for (const file of ["slack.chat.js", "slack.groups.lazy.js", "runtime.js", "slack.js", "index.js"]) expect(existsSync(join(project, "dist/waygate", file)), file).toBe(true);
    const output = execFileSync(process.execPath, [join(project, "dist/app.js")], { encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ result: { ok: true }, after: ["postMessage"], seen: ["https://waygate.example.com/v1/invoke/slack/chat.postMessage"] });
  }, 60_000);
});
