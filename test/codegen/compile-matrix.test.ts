/**
 * The generated client compiles wherever application code does: `strict` off (TypeScript's
 * default), `strict` on, and the strictest flags (exactOptionalPropertyTypes,
 * noUncheckedIndexedAccess, noPropertyAccessFromIndexSignature, verbatimModuleSyntax,
 * isolatedModules, erasableSyntaxOnly, isolatedDeclarations), under module NodeNext (Node
 * types, no DOM) and Bundler (DOM, no Node types), with TypeScript 5.9 and 7. One program
 * per cell: the small manifest's client with code that uses every part of its API, and the same
 * client generated with its groups loading later (small-lazy/, as GitHub's do); the
 * GitHub client joins the `strict`-off NodeNext cells, where the old runtime failed
 * (TS2347 on its own generic calls). `skipLibCheck` is off everywhere, so the runtime's
 * and the integrations' declaration files are checked too.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateClient } from "../../src/codegen/index.js";
import type { ManifestIntent } from "../../src/contract/sdk.js";
import { COMPILE_TIMEOUT_MS, diagnose, formatDiagnostic, MODULES, removeDir, settings, STRICTNESS, tsFiles, writeFiles, type ModuleSetting, type Strictness } from "./support/compile.js";
import { githubManifest } from "./support/github-manifest.js";
import { loadManifest } from "./support/manifests.js";
import { tsc7 } from "./support/tsc7.js";

/** Uses the whole client API; explicit types throughout, so it also passes isolatedDeclarations. */
const USAGE = `import { APIError, createWaygate, InvalidInputError, NotFoundError, ProblemTypes, RateLimitError, WaygateError, type AcmeCrm, type APIResponse, type Batch, type BatchHandle, type BatchValidation, type IntentResult, type Intents, type Page, type Slack, type Waygate } from "./small/index.js";
import type { SendMessageInput, SendMessageOutput } from "./small/intents.js";
import { createWaygate as createSlackOnly } from "./small/slack.js";
import { createWaygate as createSlackChat } from "./small/slack.chat.js";

const wg: Waygate = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com", app: "web", retries: 1, timeout: 5_000 });
const user42: Waygate = wg.withOptions({ connection: "user_42", strictVersion: true, onVersionMismatch: () => {} });

export async function useEverything(signal: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  const sent: Slack.ChatPostMessageOutput = await user42.slack.chat.postMessage({ channel: "C1" }, { idempotencyKey: "k1", headers: { "If-None-Match": '"x"' }, signal, requestId: "trace-1" });
  out.push(String(sent.ok));
  const response: APIResponse<Slack.ChatPostMessageOutput> = await wg.slack.chat.postMessage.withResponse({ channel: "C1" }, { connection: undefined });
  out.push(response.requestId, String(response.status), response.headers.get("etag") ?? "", String(response.versionExecuted));
  for await (const channel of wg.slack.conversations.list.paginate({ limit: 10 }, { connection: "c", maxItems: 5 })) out.push(channel.name);
  for await (const page of wg.slack.conversations.list.pages(undefined, { maxPages: 2 })) {
    const typed: Page<Slack.ConversationsListItem> = page;
    out.push(String(typed.items.length), String(typed.status), typed.nextPage ?? "");
  }
  const contacts: AcmeCrm.ContactsListItem[] = [];
  for await (const contact of wg.acmeCrm.contacts.list.paginate()) contacts.push(contact);
  const nothing: void = await wg.acmeCrm.contacts.delete({ id: 1 });
  const pdf: ArrayBuffer = await wg.acmeCrm.reports.export({ id: "r1" });
  const summary: string = await wg.acmeCrm.reports.summary({ id: "r1" });
  out.push(String(nothing), String(pdf.byteLength), summary, String(contacts.length));
  const raw: { ok: boolean } = await wg.slack.request<{ ok: boolean }>("GET /auth.test", { verbose: true }, { connection: "c" });
  const rawResponse: APIResponse<unknown> = await wg.tasks.request.withResponse("/tasks");
  out.push(String(raw.ok), String(rawResponse.status));
  const created = await wg.tasks.create({ title: "t" });
  out.push(created.id);
  const message: SendMessageInput = { to: "C1", text: "hi" };
  const intents: Intents = wg.intents;
  const sentVia: IntentResult<SendMessageOutput, "discord" | "slack" | "teams"> = await intents.sendMessage(message, { user: "user_42", provider: "slack", fallback: true, extras: { slack: { unfurl_links: false } }, idempotencyKey: "m1" });
  out.push(sentVia.provider, sentVia.output.id, sentVia.output.url ?? "", ...sentVia.unsupported, sentVia.selectedBy);
  const channel = await user42.intents.getChannel({ channel: "C1" });
  out.push(channel.output.name, channel.provider);
  const slackOnly = createSlackOnly({ apiKey: "k", baseUrl: "https://waygate.example.com" });
  await slackOnly.slack.users.info({ user: "U1" });
  const chatOnly = createSlackChat({ apiKey: "k", baseUrl: "https://waygate.example.com" }).withOptions({ connection: "user_42" });
  const posted: Slack.ChatPostMessageOutput = await chatOnly.slack.chat.postMessage({ channel: "C1" });
  out.push(String(posted.ok));
  const batch: BatchHandle<Slack.ChatPostMessageOutput> = await wg.slack.chat.postMessage.batch([{ input: { channel: "C1" }, idempotencyKey: "k1" }, { input: { channel: "C2" }, connection: "user_7" }], { concurrency: 2, signal });
  for await (const progress of batch.progress()) out.push(String(progress.counts.succeeded));
  const final: Batch = await batch.wait();
  out.push(final.status, batch.id);
  for await (const result of batch.results({ state: "failed" })) {
    if (result.state === "succeeded") out.push(String(result.result.ok));
    else out.push(result.error?.detail ?? String(result.upstreamStatus));
  }
  const cancelled: Batch = await batch.cancel();
  out.push(String(cancelled.counts.cancelled));
  await wg.slack.conversations.list.batch([{}, { input: { limit: 1 } }]);
  const checked: BatchValidation = await wg.slack.chat.postMessage.batch([{ input: { channel: "C1" } }], { dryRun: true, signal });
  if (checked.valid) out.push(String(checked.version), String(checked.items));
  else for (const invalid of checked.errors) out.push(String(invalid.index), invalid.field, invalid.message, checked.detail ?? "");
  try {
    await wg.slack.users.info({ user: "U1" });
  } catch (error) {
    if (error instanceof NotFoundError) out.push(String(error.upstream.status), JSON.stringify(error.upstream.body));
    else if (error instanceof RateLimitError) out.push(String(error.retryAfter ?? 0));
    else if (error instanceof InvalidInputError) out.push(error.errors[0]?.field ?? "");
    else if (error instanceof APIError) out.push(String(error.upstream.headers["x-github-request-id"]));
    else if (error instanceof WaygateError && error.problem?.type === ProblemTypes.connectionNotFound) out.push(error.requestId);
    else throw error;
  }
  return out;
}
`;

/**
 * The small client again with every integration's groups loading later (as GitHub's do): its
 * modules' group lists and `import()`s of group modules, in every cell.
 */
const LAZY_USAGE = `import { createWaygate, type Slack } from "./small-lazy/index.js";
import { createWaygate as createSlackOnly } from "./small-lazy/slack.js";

export async function lazily(): Promise<string[]> {
  const wg = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com" });
  const sent: Slack.ChatPostMessageOutput = await wg.slack.chat.postMessage({ channel: "C1" });
  const out: string[] = [String(sent.ok)];
  for await (const channel of createSlackOnly().slack.conversations.list.paginate({ limit: 10 })) out.push(channel.name);
  const tags: string[] = await wg.acmeCrm.contacts.tags.replace({ id: 1, body: ["a"] });
  out.push(...tags);
  return out;
}
`;

/** The GitHub client, used as the README shows, under strict off. */
const GITHUB_USAGE = `import { createWaygate, NotFoundError } from "./github/index.js";

const wg = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com" });

export async function triage(owner: string, repo: string): Promise<string[]> {
  const titles: string[] = [];
  const issue = await wg.github.issues.create({ owner, repo, title: "Flaky" }, { connection: "user_42" });
  titles.push(issue.title);
  for await (const open of wg.github.issues.listForRepo.paginate({ owner, repo, state: "open" }, { connection: "user_42" })) titles.push(open.title);
  try {
    await wg.github.repos.delete({ owner, repo });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  return titles;
}
`;

/** The small client also has intents: `wg.intents.sendMessage` (three providers) and `wg.intents.getChannel` (one). */
const INTENTS: ManifestIntent[] = [
  {
    name: "send_message",
    version: 2,
    description: "Send a message",
    inputSchema: { type: "object", required: ["to", "text"], properties: { to: { type: "string" }, text: { type: "string" }, threadId: { type: "string" } } },
    outputSchema: { type: "object", required: ["id"], properties: { id: { type: "string" }, url: { type: "string" } } },
    providers: ["teams", "slack", "discord"],
  },
  {
    name: "get_channel",
    version: 1,
    description: "",
    inputSchema: { type: "object", required: ["channel"], properties: { channel: { type: "string" } } },
    outputSchema: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
    providers: ["slack"],
  },
];

const STRICTNESSES = Object.keys(STRICTNESS) as Strictness[];
const MODULE_SETTINGS = Object.keys(MODULES) as ModuleSetting[];
const CELLS = STRICTNESSES.flatMap((strictness) => MODULE_SETTINGS.map((module) => [strictness, module] as const));
const withGithub = (strictness: Strictness, module: ModuleSetting): boolean => strictness === "loose" && module === "nodenext";

let dir: string;
let smallRoots: string[];
let githubRoots: string[];

beforeAll(async () => {
  const small = generateClient({ ...loadManifest("client-manifest.json"), intents: INTENTS }, { generatorVersion: "0.0.0-test" });
  const lazy = generateClient(loadManifest("client-manifest.json"), { generatorVersion: "0.0.0-test", lazyGroupsAboveBytes: 0 });
  const github = generateClient(await githubManifest(), { generatorVersion: "0.0.0-test" });
  const tree = new Map<string, string>([
    ...[...small].map(([path, text]) => [`small/${path}`, text] as const),
    ...[...github].map(([path, text]) => [`github/${path}`, text] as const),
    ...[...lazy].map(([path, text]) => [`small-lazy/${path}`, text] as const),
    ["usage.ts", USAGE],
    ["lazy-usage.ts", LAZY_USAGE],
    ["github-usage.ts", GITHUB_USAGE],
  ]);
  dir = writeFiles(tree);
  smallRoots = [...tsFiles(small.keys()).map((path) => `small/${path}`), "usage.ts", ...tsFiles(lazy.keys()).map((path) => `small-lazy/${path}`), "lazy-usage.ts"];
  githubRoots = [...tsFiles(github.keys()).map((path) => `github/${path}`), "github-usage.ts"];
}, COMPILE_TIMEOUT_MS);
afterAll(() => removeDir(dir));

function roots(strictness: Strictness, module: ModuleSetting): string[] {
  return withGithub(strictness, module) ? [...smallRoots, ...githubRoots] : smallRoots;
}

describe("the generated client compiles under every setting", () => {
  test.each(CELLS)("TypeScript 5.9, %s, %s: zero diagnostics", (strictness, module) => {
    expect(diagnose(dir, roots(strictness, module), settings(strictness, module)).map(formatDiagnostic)).toEqual([]);
  }, COMPILE_TIMEOUT_MS);

  test.each(CELLS)("TypeScript 7, %s, %s: exit 0 and no output", async (strictness, module) => {
    const result = await tsc7(dir, roots(strictness, module), settings(strictness, module), `${strictness}-${module}`);
    expect({ exitCode: result.exitCode, output: result.output }).toEqual({ exitCode: 0, output: "" });
  }, COMPILE_TIMEOUT_MS);
});
