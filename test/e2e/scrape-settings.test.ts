import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../support/stores.js";
import { runCli, startCliServer, type ServerProcess } from "../support/cli.js";

const fixtures = (relative: string) => fileURLToPath(new URL(`../../fixtures/${relative}`, import.meta.url));
const todo = fixtures("scrape/todo-v1.yaml");
const jira = fixtures("importer/real-world/jira-server-variables.yaml");
const truncated = fixtures("importer/real-world/truncated-dangling-refs.yaml");

/** The issue-12 flags of `waygate scrape` and `integrations set-base-url`, through the built CLI and a real server. */
// Each test starts several CLI processes; on a busy two-core machine one start can take seconds.
describe("scrape settings and safe re-scrapes through the built CLI", { timeout: 90_000 }, () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    ({ database, server, env } = await startCliServer());
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("refuses a spec whose server variable has no default, naming --server-var; imports with it", async () => {
    const refused = await runCli(["scrape", jira, "--slug", "jira"], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--server-var host=VALUE");
    expect(refused.stderr).toContain("/servers/0/url");
    const result = await runCli(["scrape", jira, "--slug", "jira", "--server-var", "host=jira.acme.internal", "--server-var", "contextPath=/jira"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("Imported jira version 1: 3 actions (openapi 3.0.1).\n");
    const show = await runCli(["integrations", "show", "jira", "--json"], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ baseUrl: "https://jira.acme.internal/jira/rest/api/2" });
  });

  it("checks --server-var and --draft/--publish before contacting the server (exit 2)", async () => {
    const offline = { ...env, WAYGATE_API_URL: "http://127.0.0.1:9" };
    const badVar = await runCli(["scrape", jira, "--server-var", "host"], { env: offline });
    expect(badVar.code).toBe(2);
    expect(badVar.stderr).toContain("--server-var takes name=value");
    const both = await runCli(["scrape", jira, "--draft", "--publish"], { env: offline });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--draft and --publish");
  });

  it("takes --server-url and refuses dangling $refs unless --allow-dangling-refs", async () => {
    const refused = await runCli(["scrape", truncated, "--slug", "payments", "--json"], { env });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ code: "dangling_ref", detail: expect.stringContaining("--allow-dangling-refs") });
    const result = await runCli(["scrape", truncated, "--slug", "payments", "--allow-dangling-refs", "--server-url", "https://payments.acme.example/v2", "--json"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ integration: "payments", actionCount: 2 });
    expect(JSON.parse((await runCli(["integrations", "show", "payments", "--json"], { env })).stdout)).toMatchObject({ baseUrl: "https://payments.acme.example/v2" });
  });

  it("keeps a breaking re-scrape as a draft and says why; --publish makes it current", async () => {
    expect((await runCli(["scrape", todo, "--slug", "todo"], { env })).code).toBe(0);
    const withoutGet = path.join(env.HOME!, "todo-without-get.yaml");
    const text = readFileSync(todo, "utf8");
    writeFileSync(withoutGet, text.slice(0, text.indexOf("  /todos/{id}:")));
    const held = await runCli(["scrape", withoutGet, "--slug", "todo"], { env });
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toBe("Imported todo version 2 as a draft: 2 actions (openapi 3.1.0).\n");
    expect(held.stderr).toContain("Not published: version 2 would replace version 1");
    expect(held.stderr).toContain("1 breaking change");
    expect(held.stderr).toContain("Changes against version 1: 0 added, 1 removed, 0 changed (1 breaking).");
    expect(held.stderr).toContain("waygate versions publish todo 2");
    expect(JSON.parse((await runCli(["integrations", "show", "todo", "--json"], { env })).stdout)).toMatchObject({ currentVersion: 1 });

    const published = await runCli(["scrape", withoutGet, "--slug", "todo", "--publish", "--name", "Todo API (trimmed)"], { env });
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toBe("Imported todo version 3: 2 actions (openapi 3.1.0).\n");
    expect(JSON.parse((await runCli(["integrations", "show", "todo", "--json"], { env })).stdout)).toMatchObject({ currentVersion: 3 });
  });

  it("integrations set-base-url makes a new current version, and refuses a URL with credentials (exit 2)", async () => {
    const moved = await runCli(["integrations", "set-base-url", "jira", "https://jira.globex.example/rest/api/2"], { env });
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toBe("jira version 2 sends requests to https://jira.globex.example/rest/api/2; it is current (apps pinned to earlier versions stay on them).\n");
    const refused = await runCli(["integrations", "set-base-url", "jira", "https://me:pw@jira.globex.example"], { env: { ...env, WAYGATE_API_URL: "http://127.0.0.1:9" } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("must not contain credentials");
    const missing = await runCli(["integrations", "set-base-url", "nope", "https://x.example.com"], { env });
    expect(missing.code).toBe(3);
  });
});
