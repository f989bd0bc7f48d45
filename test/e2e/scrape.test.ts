import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../support/stores.js";
import { runCli, startCliServer, startServerProcess, type ServerProcess } from "../support/cli.js";

const fixture = fileURLToPath(new URL("../../fixtures/scrape/todo-v1.yaml", import.meta.url));

const DOCS_TOKEN = "docs_SECRET_token_42";
/** Requests for /private.yaml wait until this is called. */
let releasePrivate: () => void = () => {};
const privateReleased = new Promise<void>((resolve) => (releasePrivate = resolve));

/** A docs host on loopback, serving the fixture as a URL source. */
function serveDocs(): Promise<{ url: string; server: Server }> {
  let slowCalls = 0;
  const server = createServer((request, response) => {
    if (request.url === "/private.yaml") {
      if (request.headers.authorization !== `Bearer ${DOCS_TOKEN}`) return void response.writeHead(401).end("who are you?");
      void privateReleased.then(() => response.writeHead(200, { "content-type": "application/yaml" }).end(readFileSync(fixture)));
      return;
    }
    if (request.url === "/hang.yaml") return; // never answers: the import stays running until cancelled
    if (request.url === "/slow.yaml") {
      // The first fetch hangs (the import stays running); later ones answer at once.
      if (++slowCalls === 1) request.socket.setTimeout(0);
      setTimeout(() => response.writeHead(200, { "content-type": "application/yaml" }).end(readFileSync(fixture)), slowCalls === 1 ? 60_000 : 0);
      return;
    }
    if (request.url === "/openapi.yaml") {
      response.writeHead(200, { "content-type": "application/yaml" }).end(readFileSync(fixture));
    } else if (request.url === "/docs") {
      // A Redoc page: the spec is only named in the embed's spec-url attribute.
      response.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><html><body><redoc spec-url="/openapi.yaml"></redoc><script src="https://cdn.example.com/redoc.js"></script></body></html>');
    } else response.writeHead(404).end("not found");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

describe("waygate scrape through the built CLI and a real server", () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let docs: { url: string; server: Server };
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    ({ database, server, env } = await startCliServer());
    docs = await serveDocs();
  });
  afterAll(async () => {
    await server?.stop();
    docs?.server.close();
    await database?.drop();
  });

  it("uploads a local file, waits for the job and reports the new version", async () => {
    const result = await runCli(["scrape", fixture, "--slug", "todo"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("Imported todo version 1: 3 actions (openapi 3.1.0).\n");
    expect(result.stderr).toContain("import todo-v1.yaml as todo");

    const actions = await runCli(["actions", "list", "todo", "--json"], { env });
    expect((JSON.parse(actions.stdout) as { data: Array<{ name: string }> }).data.map((a) => a.name)).toEqual(["todos.create", "todos.get", "todos.list"]);
    const show = await runCli(["integrations", "show", "todo", "--json"], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ authType: "bearer", authTypeUnverified: false, baseUrl: "https://todo.example.com/v1" });
  });

  it("prints the final result as JSON, and makes no new version for identical content", async () => {
    const result = await runCli(["scrape", fixture, "--slug", "todo", "--json"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: "imported", integration: "todo", version: 1, created: false, actionCount: 3, warnings: [] });
  });

  it("adds the next version when the document changes", async () => {
    const changed = path.join(env.HOME!, "todo-v2.yaml");
    writeFileSync(changed, readFileSync(fixture, "utf8").replace("summary: Get a todo", "summary: Fetch one todo"));
    const result = await runCli(["scrape", changed, "--slug", "todo", "--json"], { env });
    expect(JSON.parse(result.stdout)).toMatchObject({ version: 2, created: true });
    const show = await runCli(["integrations", "show", "todo", "--json"], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ currentVersion: 2, versionCount: 2 });
  });

  it("fetches a URL source on the server side", async () => {
    const result = await runCli(["scrape", `${docs.url}/openapi.yaml`, "--slug", "todo-from-url", "--json"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ integration: "todo-from-url", version: 1, actionCount: 3 });
  });

  it("finds the spec behind an HTML docs page and imports it", async () => {
    const result = await runCli(["scrape", `${docs.url}/docs`, "--slug", "todo-from-docs", "--json"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ integration: "todo-from-docs", actionCount: 3, discoveredFrom: `${docs.url}/openapi.yaml` });
  });

  it("returns the job id with --no-wait; jobs watch and jobs show follow it", async () => {
    const queued = await runCli(["scrape", fixture, "--slug", "todo-later", "--no-wait"], { env });
    expect(queued.code, queued.stderr).toBe(0);
    const id = queued.stdout.trim();
    expect(id).toMatch(/^job_/);
    const watched = await runCli(["jobs", "watch", id, "--json"], { env });
    expect(JSON.parse(watched.stdout)).toMatchObject({ id, status: "succeeded", result: { integration: "todo-later", version: 1 } });
    const shown = await runCli(["jobs", "show", id], { env });
    expect(shown.stdout).toMatch(/Status:\s+succeeded/);
    const list = await runCli(["jobs", "list", "--status", "succeeded", "--json"], { env });
    expect((JSON.parse(list.stdout) as { data: Array<{ id: string }> }).data.map((j) => j.id)).toContain(id);
  });

  it("resumes an import that was running when the server stopped", async () => {
    const queued = await runCli(["scrape", `${docs.url}/slow.yaml`, "--slug", "todo-resumed", "--no-wait"], { env });
    expect(queued.code, queued.stderr).toBe(0);
    const id = queued.stdout.trim();
    let status = "queued";
    for (let i = 0; i < 500 && status === "queued"; i++) {
      const response = await fetch(`${server.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${env.WAYGATE_API_KEY}` } });
      status = ((await response.json()) as { status: string }).status;
      if (status === "queued") await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe("running");
    expect(await server.stop("SIGTERM")).toBe(0);
    expect((await runCli(["jobs", "list"], { env })).code).toBe(6);

    server = await startServerProcess(database.args, env);
    env = { ...env, WAYGATE_API_URL: server.url };
    const watched = await runCli(["jobs", "watch", id, "--json"], { env, timeoutMs: 60_000 });
    expect(watched.code, watched.stderr).toBe(0);
    expect(JSON.parse(watched.stdout)).toMatchObject({ id, status: "succeeded", result: { integration: "todo-resumed", actionCount: 3 } });
  }, 120_000);

  it("cancels a running import with jobs cancel; jobs watch then exits 1", async () => {
    const queued = await runCli(["scrape", `${docs.url}/hang.yaml`, "--slug", "never", "--no-wait"], { env });
    const id = queued.stdout.trim();
    const cancel = await runCli(["jobs", "cancel", id], { env });
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`^(Cancelled ${id}\\.|Asked ${id} to stop; it will be cancelled at its next checkpoint\\.)\n$`));
    const watched = await runCli(["jobs", "watch", id], { env, timeoutMs: 60_000 });
    expect(watched.code).toBe(1);
    expect(watched.stderr).toContain(`job ${id} was cancelled`);
    expect((await runCli(["integrations", "show", "never"], { env })).code).toBe(3);
  }, 90_000);

  it("fails a broken document with exit 1, saying what and where, and creates nothing", async () => {
    const broken = path.join(env.HOME!, "broken.yaml");
    writeFileSync(broken, "openapi: 3.1.0\ninfo:\n  title: Broken\n  version: '1'\npaths:\n  /x:\n    get: [unclosed\n");
    const result = await runCli(["scrape", broken, "--slug", "broken"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: .*broken\.yaml:\d+/);
    const json = await runCli(["scrape", broken, "--slug", "broken", "--json"], { env });
    expect(JSON.parse(json.stderr)).toMatchObject({ type: "https://waygate.dev/problems/import-failed", code: "syntax_error", location: { source: "broken.yaml" } });
    expect((await runCli(["integrations", "show", "broken"], { env })).code).toBe(3);
  });

  it("refuses a missing local file with exit 2 before contacting the server", async () => {
    const result = await runCli(["scrape", "no/such/file.yaml"], { env: { ...env, WAYGATE_API_URL: "http://127.0.0.1:9" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read no/such/file.yaml: no such file");
  });

  it("refuses private addresses when the server was started with --no-allow-private-imports", async () => {
    const strict = await startServerProcess([...database.args, "--no-allow-private-imports"], env);
    try {
      const result = await runCli(["scrape", `${docs.url}/openapi.yaml`, "--slug", "ssrf", "--json"], { env: { ...env, WAYGATE_API_URL: strict.url } });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stderr)).toMatchObject({ code: "private_network" });
    } finally {
      await strict.stop();
    }
  });

  it("sends --header values to the docs server and never stores them in clear", async () => {
    const queued = await runCli(["scrape", `${docs.url}/private.yaml`, "--header", `Authorization: Bearer ${DOCS_TOKEN}`, "--slug", "private", "--no-wait"], { env });
    expect(queued.code, queued.stderr).toBe(0);
    const id = queued.stdout.trim();
    /** Every file of the SQLite database (main file, WAL, shared memory) contains no trace of the token. */
    const expectNoTokenOnDisk = () => {
      const dir = database.args[1]!;
      for (const file of readdirSync(dir)) expect(readFileSync(path.join(dir, file)).includes(DOCS_TOKEN), file).toBe(false);
    };
    let status = "queued";
    for (let i = 0; i < 500 && status === "queued"; i++) {
      const response = await fetch(`${server.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${env.WAYGATE_API_KEY}` } });
      status = ((await response.json()) as { status: string }).status;
      if (status === "queued") await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(status).toBe("running"); // the docs server has the request, with the header: 401 otherwise
    expectNoTokenOnDisk();
    releasePrivate();
    const watched = await runCli(["jobs", "watch", id, "--json"], { env });
    expect(JSON.parse(watched.stdout)).toMatchObject({ status: "succeeded", result: { integration: "private", actionCount: 3 } });
    expectNoTokenOnDisk();

    const onFile = await runCli(["scrape", fixture, "--header", "Authorization: Bearer x"], { env });
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain("--header");
    const malformed = await runCli(["scrape", `${docs.url}/openapi.yaml`, "--header", "no colon here"], { env });
    expect(malformed.code).toBe(2);
  });

  it("never prints credentials written into a docs URL", async () => {
    const url = `http://reader:pw_SECRET_1@${new URL(docs.url).host}/openapi.yaml?access_token=tok_SECRET_2`;
    const queued = await runCli(["scrape", url, "--slug", "credentials", "--no-wait", "--json"], { env });
    expect(queued.code, queued.stderr).toBe(0);
    const id = (JSON.parse(queued.stdout) as { job: { id: string } }).job.id;
    const outputs = [queued.stdout, queued.stderr];
    const watched = await runCli(["jobs", "watch", id], { env });
    outputs.push(watched.stdout, watched.stderr);
    for (const args of [["jobs", "list"], ["jobs", "list", "--json"], ["jobs", "show", id], ["jobs", "show", id, "--json"]]) {
      const result = await runCli(args, { env });
      expect(result.code, result.stderr).toBe(0);
      outputs.push(result.stdout, result.stderr);
    }
    expect(outputs.join("\n")).toContain(`${new URL(docs.url).host}/openapi.yaml`);
    for (const secret of ["pw_SECRET_1", "tok_SECRET_2"]) expect(outputs.join("\n")).not.toContain(secret);
  });
});
