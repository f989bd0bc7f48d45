import { spawn } from "node:child_process";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exampleFromSchema, generateClient, loadTemplates, renderSnippet, SNIPPET_LANGUAGES, type SnippetLanguage } from "../../src/codegen/index.js";
import { fill, resolveSections, snippetFlags } from "../../src/codegen/snippets/index.js";
import { InvokeProblemTypes, invokeProtocolHeaders, InvokeRequestHeaders, InvokeResponseHeaders } from "../../src/contract/invoke.js";
import type { SdkManifest } from "../../src/contract/sdk.js";
import { startUpstream, type Upstream } from "../../src/gateway/test-upstream.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { COMPILE_TIMEOUT_MS, removeDir, SETTINGS, transpile, typecheck, writeFiles } from "./support/compile.js";
import { loadManifest, loadRawManifest } from "./support/manifests.js";
import { goStructure, goSyntaxErrors, hasGofmt } from "./support/snippet-syntax.js";

const API_URL = "https://api.waygate.test";
const templates = loadTemplates();
const small = loadManifest("small-manifest.json");
const hostile = loadRawManifest("hostile-manifest.json");
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

interface Rendered {
  name: string;
  /** The path the snippet must POST to. */
  path: string;
  input: unknown;
  version: number;
  paginated: boolean;
  text: string;
}

function snippets(manifest: SdkManifest, lang: SnippetLanguage, options: { apiUrl?: string; app?: string } = {}): Rendered[] {
  return manifest.integrations.flatMap((integration) =>
    integration.actions.map((action) => ({
      name: `${integration.slug}/${action.name}`,
      path: `/v1/invoke/${encodeURIComponent(integration.slug)}/${encodeURIComponent(action.name)}`,
      input: JSON.parse(JSON.stringify(exampleFromSchema(action.inputSchema))) as unknown,
      version: integration.version,
      paginated: snippetFlags(action, {}).paginated,
      text: renderSnippet(integration, action, lang, { apiUrl: options.apiUrl ?? manifest.apiUrl, app: options.app, templates }),
    })),
  );
}

const slack = small.integrations.find((integration) => integration.slug === "slack")!;
const postMessage = slack.actions.find((action) => action.name === "chat.postMessage")!;
const conversationsList = slack.actions.find((action) => action.name === "conversations.list")!;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion without blocking the event loop (the fake server answers it in this process). */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs every snippet of one language in one process, in order; stops at the first that fails. */
async function runAll(lang: "js" | "python" | "curl", rendered: readonly Rendered[], env: Record<string, string>): Promise<Run> {
  const ext = { js: "mjs", python: "py", curl: "sh" }[lang];
  const dir = writeFiles(new Map(rendered.map((snippet, index) => [`snippet-${index}.${ext}`, snippet.text])));
  dirs.push(dir);
  const files = rendered.map((_, index) => join(dir, `snippet-${index}.${ext}`));
  if (lang === "js") {
    const runner = files.map((file) => `await import(${JSON.stringify(pathToFileURL(file).href)});`).join("\n");
    return run(process.execPath, ["--input-type=module", "-e", runner], env);
  }
  if (lang === "python") {
    const runner = "import sys\nfor path in sys.argv[1:]:\n    exec(compile(open(path).read(), path, 'exec'), {'__name__': '__main__'})";
    return run("python3", ["-c", runner, ...files], env);
  }
  return run("bash", ["-c", 'for file in "$@"; do bash "$file" || exit $?; done', "bash", ...files], env);
}

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const NEXT_PAGE = "eyJwIjoyfQ.a-b_c";

/**
 * Stands in for Waygate: records each invoke request; answers the first request of a call
 * with a next-page token and a request that sends it back without one, so a snippet that
 * walks pages makes exactly two requests and one that does not makes one.
 */
async function startFakeWaygate(): Promise<{ url: string; seen: Seen[]; failWith(status: number | null): void; close(): Promise<void> }> {
  const seen: Seen[] = [];
  let failure: number | null = null;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as Record<string, unknown>;
      seen.push({ path: request.url ?? "", headers: request.headers, body });
      if (failure !== null) {
        response.writeHead(failure, { "content-type": "application/problem+json", [InvokeResponseHeaders.errorSource]: "upstream" });
        response.end(JSON.stringify({ type: InvokeProblemTypes.upstreamError, title: "Upstream error", status: failure, detail: "the upstream refused" }));
        return;
      }
      response.writeHead(200, {
        "content-type": "application/json",
        [InvokeResponseHeaders.requestId]: "req_1",
        ...(body.page === undefined ? { [InvokeResponseHeaders.nextPage]: NEXT_PAGE } : {}),
      });
      response.end(JSON.stringify({ page: body.page ?? "first" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    failWith: (status) => void (failure = status),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What each snippet sent, in order: one request, or two for a paginated action (the second with the page token). */
function expectRequests(seen: readonly Seen[], rendered: readonly Rendered[], app: string | undefined): void {
  let at = 0;
  for (const snippet of rendered) {
    const requests = seen.slice(at, at + (snippet.paginated ? 2 : 1));
    at += requests.length;
    for (const [index, request] of requests.entries()) {
      expect(request.path, snippet.name).toBe(snippet.path);
      expect(request.body, snippet.name).toEqual({ input: snippet.input, connection: "user_42", ...(index === 1 ? { page: NEXT_PAGE } : {}) });
      expect(request.headers.authorization, snippet.name).toBe("Bearer wg_test_key");
      expect(request.headers[InvokeRequestHeaders.expectedVersion], snippet.name).toBe(String(snippet.version));
      expect(request.headers[InvokeRequestHeaders.app], snippet.name).toBe(app);
    }
  }
  expect(seen).toHaveLength(at);
}

describe("renderSnippet", () => {
  test.each(SNIPPET_LANGUAGES)("%s snippets for slack chat.postMessage (app named) and conversations.list (paginated) match their snapshots", async (lang) => {
    await expect(renderSnippet(slack, postMessage, lang, { apiUrl: API_URL, app: "web", templates })).toMatchFileSnapshot(
      `./__snapshots__/snippets/chat.postMessage.${lang}.snap`,
    );
    await expect(renderSnippet(slack, conversationsList, lang, { apiUrl: API_URL, templates })).toMatchFileSnapshot(
      `./__snapshots__/snippets/conversations.list.${lang}.snap`,
    );
  });

  test("rejects an unknown language", () => {
    expect(() => renderSnippet(slack, postMessage, "cobol" as "ts", { apiUrl: API_URL, templates })).toThrow(/unknown snippet language/);
  });

  test("snippets use only invoke headers and problem types the contract declares; the old X-Waygate-Version is gone", () => {
    const problemTypes = new Set<string>(Object.values(InvokeProblemTypes));
    for (const lang of SNIPPET_LANGUAGES) {
      // The templates as well as what they render to: curl's version header comes from the contract at render time.
      const texts = [templates.snippets[lang], ...[postMessage, conversationsList].map((action) => renderSnippet(slack, action, lang, { apiUrl: API_URL, app: "web", templates }))];
      for (const text of texts) {
        const headers = [...text.matchAll(/\b(x-waygate-[a-z-]+|x-request-id|idempotency-key|retry-after(?:-ms)?)\b/gi)].map((match) => match[1]!.toLowerCase());
        expect(headers.filter((header) => !invokeProtocolHeaders.has(header)), lang).toEqual([]);
        for (const url of text.match(/https:\/\/waygate\.dev\/problems\/[a-z-]+/g) ?? []) expect(problemTypes.has(url), `${lang}: ${url}`).toBe(true);
      }
      // ts: the generated client sends it.
      if (lang !== "ts") expect(texts.slice(1).every((text) => text.toLowerCase().includes(`${InvokeRequestHeaders.expectedVersion}`)), lang).toBe(true);
    }
  });

  test("paginated actions walk pages in every language; the others make one call", () => {
    const loops: Record<SnippetLanguage, RegExp> = {
      ts: /for await \(const item of wg\.slack\.conversations\.list\.paginate\(\{.*\}, \{ connection: "user_42" \}\)\)/,
      js: /page = response\.headers\.get\("x-waygate-next-page"\);\n\} while \(page\);/,
      python: /body\["page"\] = page/,
      curl: /awk .*x-waygate-next-page/,
      go: /body\.Page = next/,
    };
    for (const lang of SNIPPET_LANGUAGES) {
      const paged = renderSnippet(slack, conversationsList, lang, { apiUrl: API_URL, templates });
      const single = renderSnippet(slack, postMessage, lang, { apiUrl: API_URL, templates });
      const walks = loops[lang];
      expect(paged, lang).toMatch(walks);
      expect(single, lang).not.toMatch(walks);
    }
  });
});

describe("template blocks", () => {
  test("keep {{#flag}} blocks when set and {{^flag}} blocks when not, whole lines only", () => {
    const template = "a\n{{#app}}\nnamed {{app}}\n{{/app}}\n{{^app}}\nunnamed\n{{/app}}\nz\n";
    expect(resolveSections(template, { app: true })).toBe("a\nnamed {{app}}\nz\n");
    expect(resolveSections(template, { app: false })).toBe("a\nunnamed\nz\n");
  });

  test("refuse a block without a flag and a tag that is not on a line of its own", () => {
    expect(() => resolveSections("{{#nope}}\nx\n{{/nope}}\n", {})).toThrow(/has no flag/);
    expect(() => resolveSections("x {{#app}}y{{/app}}\n", { app: true })).toThrow(/not a block on lines of its own/);
  });

  test("a value can never open a block or a placeholder: blocks are resolved before values are filled in", () => {
    const template = resolveSections("{{#app}}\nconst app = {{app}};\n{{/app}}\n", { app: true });
    expect(fill(template, { app: '"{{#app}}\\n{{input}}"' })).toBe('const app = "{{#app}}\\n{{input}}";\n');
  });
});

describe.each([
  ["small", small],
  ["hostile", hostile],
] as const)("snippets for the %s manifest", (_name, manifest) => {
  let fake: Awaited<ReturnType<typeof startFakeWaygate>>;
  beforeAll(async () => {
    fake = await startFakeWaygate();
  });
  afterAll(async () => fake.close());

  test("TS snippets type-check against the generated client", () => {
    const files = new Map([...generateClient(manifest, { generatorVersion: "0.0.0-test" })].map(([path, text]) => [`waygate/${path}`, text]));
    const rendered = snippets(manifest, "ts");
    rendered.forEach((snippet, index) => files.set(`snippet-${index}.ts`, snippet.text));
    const dir = writeFiles(files);
    dirs.push(dir);
    const roots = rendered.map((_, index) => `snippet-${index}.ts`);
    expect(typecheck(dir, roots, { ...SETTINGS.nodenext, isolatedDeclarations: false, noUnusedLocals: false })).toEqual([]);
  }, COMPILE_TIMEOUT_MS);

  test("JS snippets run on node: each sends its input, connection, expected version and key, and walks the page tokens", async () => {
    fake.seen.length = 0;
    const rendered = snippets(manifest, "js", { apiUrl: fake.url, app: "web" });
    const result = await runAll("js", rendered, { WAYGATE_API_KEY: "wg_test_key" });
    expect(result.code, result.stderr).toBe(0);
    expectRequests(fake.seen, rendered, "web");
  });

  test("Python snippets run on the standard library alone: the same requests", async () => {
    fake.seen.length = 0;
    const rendered = snippets(manifest, "python", { apiUrl: fake.url });
    // No app named in the snippet: WAYGATE_APP names it (a tenant key's way), and the snippet sends it.
    const result = await runAll("python", rendered, { WAYGATE_API_KEY: "wg_test_key", WAYGATE_APP: "worker" });
    expect(result.code, result.stderr).toBe(0);
    expectRequests(fake.seen, rendered, "worker");
    expect(rendered.every((snippet) => /^# Python 3 standard library only/.test(snippet.text) && !/^\s*(import|from)\s+(httpx|requests)\b/m.test(snippet.text))).toBe(true);
  });

  test("curl snippets run in bash: the same requests, and no x-waygate-app without an app", async () => {
    fake.seen.length = 0;
    const rendered = snippets(manifest, "curl", { apiUrl: fake.url });
    const result = await runAll("curl", rendered, { WAYGATE_API_KEY: "wg_test_key" });
    expect(result.code, result.stderr).toBe(0);
    expectRequests(fake.seen, rendered, undefined);
  });

  test("Go snippets (no Go toolchain here: checked by structure, and by gofmt where installed) hold only well-formed literals carrying the example input", () => {
    const rendered = snippets(manifest, "go", { app: "web" });
    const actions = manifest.integrations.flatMap((integration) => integration.actions);
    rendered.forEach((snippet, index) => {
      const template = resolveSections(templates.snippets.go, snippetFlags(actions[index]!, { app: "web" }));
      // Everything outside string literals is the template's own Go code, whatever the spec held.
      expect(goStructure(snippet.text, template), snippet.name).toEqual({ input: snippet.input, codeMatchesTemplate: true });
      expect(snippet.text.includes("body.Page = next"), snippet.name).toBe(snippet.paginated);
    });
    if (hasGofmt()) {
      const dir = writeFiles(new Map(rendered.map((snippet, index) => [`snippet-${index}.go`, snippet.text])));
      dirs.push(dir);
      expect(goSyntaxErrors(dir, rendered.map((_, index) => `snippet-${index}.go`))).toEqual([]);
    }
  });
});

describe("snippets on an error answer", () => {
  let fake: Awaited<ReturnType<typeof startFakeWaygate>>;
  beforeAll(async () => {
    fake = await startFakeWaygate();
    fake.failWith(422);
  });
  afterAll(async () => fake.close());

  test.each(["js", "python", "curl"] as const)("the %s snippet exits non-zero and shows Waygate's answer", async (lang) => {
    const rendered = [...snippets(small, lang, { apiUrl: fake.url })].filter((snippet) => snippet.name === "slack/chat.postMessage");
    const result = await runAll(lang, rendered, { WAYGATE_API_KEY: "wg_test_key" });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/422/);
  });

  test("the Go snippet checks the status and exits 1 outside 2xx (by its template: no Go toolchain here)", () => {
    for (const paginated of [true, false]) {
      const go = resolveSections(templates.snippets.go, { paginated, app: false });
      expect(go).toContain("if res.StatusCode < 200 || res.StatusCode > 299 {");
      expect(go).toContain("os.Exit(1)");
    }
  });
});

describe("TS snippets through the generated client", () => {
  let fake: Awaited<ReturnType<typeof startFakeWaygate>>;
  beforeAll(async () => {
    fake = await startFakeWaygate();
  });
  afterAll(async () => fake.close());

  test("run on node against the generated client: the call and the paginate loop both pass the connection", async () => {
    const files = new Map([...generateClient(small, { generatorVersion: "0.0.0-test" })].map(([path, text]) => [`waygate/${path}`, text]));
    const chosen = [postMessage, conversationsList].map((action) => renderSnippet(slack, action, "ts", { apiUrl: fake.url, templates }));
    chosen.forEach((text, index) => files.set(`snippet-${index}.ts`, text));
    const dir = writeFiles(files);
    dirs.push(dir);
    transpile(files, dir);
    const runner = chosen.map((_, index) => `await import(${JSON.stringify(pathToFileURL(join(dir, `snippet-${index}.js`)).href)});`).join("\n");
    const result = await run(process.execPath, ["--input-type=module", "-e", runner], { WAYGATE_API_KEY: "wg_test_key" });
    expect(result.code, result.stderr).toBe(0);
    const byPath = (action: string) => fake.seen.filter((request) => request.path === `/v1/invoke/slack/${action}`);
    expect(byPath("chat.postMessage")).toHaveLength(1);
    expect(byPath("conversations.list").length).toBeGreaterThanOrEqual(1);
    for (const request of fake.seen) expect(request.body).toMatchObject({ connection: "user_42" });
  });

  test("with an app named, the TS snippet type-checks against the generated client", () => {
    const files = new Map([...generateClient(small, { generatorVersion: "0.0.0-test" })].map(([path, text]) => [`waygate/${path}`, text]));
    const rendered = snippets(small, "ts", { app: "web" });
    rendered.forEach((snippet, index) => files.set(`snippet-${index}.ts`, snippet.text));
    const dir = writeFiles(files);
    dirs.push(dir);
    expect(typecheck(dir, rendered.map((_, index) => `snippet-${index}.ts`), { ...SETTINGS.nodenext, isolatedDeclarations: false, noUnusedLocals: false })).toEqual([]);
  }, COMPILE_TIMEOUT_MS);
});

/**
 * The snippets the API serves, run against the real server and a real upstream: an app
 * pinned to version 1 (current is 2), with a connection of its own for user_42 and a
 * tenant-level one beside it. Which upstream path and token arrive shows which app and
 * version ran.
 */
describe("served snippets against the real server", () => {
  let server: TestServer;
  let upstream: Upstream;
  let appKey: string;

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, key?: string) => {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${key ?? server.tenantKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
    return text ? (JSON.parse(text) as Record<string, unknown>) : null;
  };
  const version = (n: number) => ({
    slug: "crm",
    name: "CRM",
    baseUrl: `${upstream.url}/v${n}`,
    authSchemes: [{ type: "bearer" }],
    actions: [
      {
        name: "items.list",
        method: "GET",
        path: "/items",
        inputSchema: { type: "object", properties: { cursor: { type: "string", "x-waygate-in": "query" } } },
        pagination: { strategy: "cursor", cursorParam: "cursor", nextCursorPath: "/next", itemsPath: "/data" },
      },
    ],
  });
  const pages = (request: { query: URLSearchParams }) =>
    request.query.get("cursor") === "2" ? { body: { data: [{ id: 3 }], next: null } } : { body: { data: [{ id: 1 }, { id: 2 }], next: "2" } };

  beforeAll(async () => {
    upstream = await startUpstream({ "GET /v1/items": pages, "GET /v2/items": pages });
    server = await startTestServer();
    await api("POST", "/v1/integrations", version(1));
    await api("POST", "/v1/integrations", version(2));
    await api("POST", "/v1/apps", { name: "web" });
    await api("PUT", "/v1/apps/web/pins/crm", { version: 1 });
    await api("POST", "/v1/connections", { integration: "crm", app: "web", externalUserId: "user_42", credentials: { type: "bearer", token: "tok-web" } });
    await api("POST", "/v1/connections", { integration: "crm", externalUserId: "user_42", credentials: { type: "bearer", token: "tok-tenant" } });
    appKey = (await api("POST", "/v1/apps/web/keys", { name: "snippets" }))!.secret as string;
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  const served = async (lang: string, key: string, headers: Record<string, string> = {}) => {
    const answer = (await api("GET", `/v1/snippets/crm/items.list?lang=${lang}`, undefined, headers, key)) as { version: number; snippets: Array<{ code: string }> };
    return { version: answer.version, code: answer.snippets[0]!.code };
  };

  test.each([
    ["a tenant key, the snippet fetched for app web", () => server.tenantKey, { "x-waygate-app": "web" }, {}],
    ["an app key", () => appKey, {}, {}],
    ["a tenant key with WAYGATE_APP=web, the snippet fetched for no app", () => server.tenantKey, {}, { WAYGATE_APP: "web" }],
  ] as const)("with %s, every runnable snippet walks both pages of web's version 1 with web's connection", async (_name, key, headers, env) => {
    for (const lang of ["js", "python", "curl"] as const) {
      const snippet = await served(lang, key(), headers);
      expect(snippet.version).toBe(Object.keys(headers).length > 0 || key() === appKey ? 1 : 2);
      upstream.received.length = 0;
      const rendered: Rendered = { name: lang, path: "", input: {}, version: snippet.version, paginated: true, text: snippet.code };
      const result = await runAll(lang, [rendered], { WAYGATE_API_KEY: key(), ...env });
      expect(result.code, `${lang}: ${result.stderr}`).toBe(0);
      expect(upstream.received.map((request) => `${request.path}?${request.rawQuery} ${request.headers.authorization}`), lang).toEqual([
        "/v1/items? Bearer tok-web",
        "/v1/items?cursor=2 Bearer tok-web",
      ]);
      expect(result.stdout, lang).toMatch(/["']?id["']?: ?3\b/);
    }
  }, 60_000);
});
