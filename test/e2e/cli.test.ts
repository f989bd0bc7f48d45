import { statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, storeBackends, type TestDatabase } from "../support/stores.js";
import { isolatedEnv, runCli, startServerProcess, type ServerProcess } from "../support/cli.js";

const petstore = {
  slug: "petstore",
  name: "Petstore",
  baseUrl: "https://petstore.example.com/v1",
  authSchemes: [{ type: "apiKey", name: "X-Api-Key", in: "header" }],
  actions: [
    { name: "pets.list", method: "GET", path: "/pets", summary: "List pets" },
    { name: "pets.get", method: "GET", path: "/pets/{petId}", summary: "Show a pet" },
  ],
};

// Tests here start a dozen CLI processes each; on a busy two-core machine one start can take seconds.
describe.each(storeBackends)("the built CLI against a real server on %s", { timeout: 90_000 }, (backend) => {
  let database: TestDatabase;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  let apiKey: string;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    env = isolatedEnv();
    const init = await runCli(["server", "init", "--tenant", "Acme", "--json", ...database.args], { env });
    expect(init.code, init.stderr).toBe(0);
    const created = JSON.parse(init.stdout) as { tenantId: string; apiKey: string };
    expect(created.tenantId).toMatch(/^ten_/);
    apiKey = created.apiKey;
    server = await startServerProcess(database.args, env);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("logs in with a key from stdin, stores it in a 0600 file and says so in whoami", async () => {
    const login = await runCli(["login", "--api-url", server.url, "--with-token"], { env, stdin: apiKey + "\n" });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain("as tenant Acme");
    const credentials = path.join(env.WAYGATE_CONFIG_DIR!, "credentials.json");
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(login.stdout).not.toContain(apiKey);

    const whoami = await runCli(["whoami", "--json"], { env });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({
      tenant: { name: "Acme" },
      key: { kind: "tenant", prefix: apiKey.slice(0, 16) },
      apiUrl: server.url,
      keySource: "credential",
      credential: credentials,
    });
    const human = await runCli(["whoami"], { env });
    expect(human.stdout).toMatch(/Key from:\s+the stored credential: .*credentials\.json/);
  });

  it("creates, lists, shows and deletes integrations and browses actions", async () => {
    const definition = path.join(env.HOME!, "petstore.json");
    await import("node:fs/promises").then((fs) => fs.writeFile(definition, JSON.stringify(petstore)));
    const create = await runCli(["integrations", "create", definition], { env });
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toBe("Created petstore version 1 with 2 actions.\n");

    const list = await runCli(["integrations", "list"], { env });
    expect(list.stdout.split("\n")[0]).toMatch(/^SLUG\s+NAME\s+VERSION\s+ACTIONS\s+AUTH\s+UPDATED$/);
    expect(list.stdout).toMatch(/^petstore\s+Petstore\s+1\s+2\s+apiKey\s+\d{4}-\d\d-\d\d$/m);

    const json = await runCli(["integrations", "list", "--json"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ data: [{ slug: "petstore", actionCount: 2 }], nextCursor: null });

    const actions = await runCli(["actions", "list", "petstore", "--search", "pet"], { env });
    expect(actions.stdout).toMatch(/^pets\.get\s+GET\s+\/pets\/\{petId\}\s+Show a pet$/m);
    const action = await runCli(["actions", "show", "petstore", "pets.get", "--json"], { env });
    expect(JSON.parse(action.stdout)).toMatchObject({ integration: "petstore", version: 1, method: "GET", path: "/pets/{petId}" });

    const refused = await runCli(["integrations", "delete", "petstore"], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("confirm with --yes");
    const deleted = await runCli(["integrations", "delete", "petstore", "--yes"], { env });
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await runCli(["integrations", "show", "petstore"], { env });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain('integration "petstore" not found');
  });

  it("exits 4 with the problem+json body on stderr for a bad key, and keeps stdout empty", async () => {
    const result = await runCli(["integrations", "list", "--json", "--api-key", "wg_tenant_" + "x".repeat(43)], { env });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe("");
    expect(JSON.parse(result.stderr)).toMatchObject({ type: "https://waygate.dev/problems/unauthorized", status: 401 });
  });

  it("prefers WAYGATE_API_KEY over the stored credential, and --api-key over both", async () => {
    const fromEnv = await runCli(["whoami", "--json"], { env: { ...env, WAYGATE_API_KEY: "wg_tenant_wrong" } });
    expect(fromEnv.code).toBe(4);
    const fromFlag = await runCli(["whoami", "--json", "--api-key", apiKey], { env: { ...env, WAYGATE_API_KEY: "wg_tenant_wrong" } });
    expect(fromFlag.code, fromFlag.stderr).toBe(0);
    expect(JSON.parse(fromFlag.stdout)).toMatchObject({ keySource: "flag" });
  });

  it("refuses a second init of the same database unless --force", async () => {
    const again = await runCli(["server", "init", ...database.args], { env });
    expect(again.code).toBe(5);
    expect(again.stderr).toContain("already initialised");
    const forced = await runCli(["server", "init", "--force", "--tenant", "Globex", "--json", ...database.args], { env });
    expect(forced.code, forced.stderr).toBe(0);
    const tenants = await runCli(["server", "tenants", "list", "--json", ...database.args], { env });
    expect((JSON.parse(tenants.stdout) as { data: Array<{ name: string }> }).data.map((t) => t.name)).toEqual(["Acme", "Globex"]);
  });

  it("keeps a second tenant's integrations apart from the first's", async () => {
    const second = await runCli(["server", "tenants", "create", "Initech", "--json", ...database.args], { env });
    const { apiKey: otherKey } = JSON.parse(second.stdout) as { apiKey: string };
    const definition = path.join(env.HOME!, "other.json");
    await import("node:fs/promises").then((fs) => fs.writeFile(definition, JSON.stringify({ ...petstore, slug: "initech-only" })));
    expect((await runCli(["integrations", "create", definition, "--api-key", otherKey], { env })).code).toBe(0);
    const mine = await runCli(["integrations", "list", "--json"], { env });
    expect(JSON.parse(mine.stdout)).toEqual({ data: [], nextCursor: null });
    expect((await runCli(["integrations", "show", "initech-only"], { env })).code).toBe(3);
  });

  it("answers a 400 as a usage error: exit 2 with the field list, and no bug banner", async () => {
    const keyed = { ...env, WAYGATE_API_URL: server.url, WAYGATE_API_KEY: apiKey };
    const badSlug = await runCli(["integrations", "show", "Not A Slug!"], { env: keyed });
    expect(badSlug.code, badSlug.stderr).toBe(2);
    expect(badSlug.stderr).toMatch(/^error: params\.slug: /);
    expect(badSlug.stderr).not.toContain("bug in waygate");

    const definition = path.join(env.HOME!, "shop.json");
    const body = { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name", "age"] };
    const shop = { ...petstore, slug: "shop", actions: [{ name: "pets.create", method: "POST", path: "/pets", summary: "Add a pet", inputSchema: body }] };
    await import("node:fs/promises").then((fs) => fs.writeFile(definition, JSON.stringify(shop)));
    expect((await runCli(["integrations", "create", definition], { env: keyed })).code).toBe(0);
    const invalid = await runCli(["invoke", "shop", "pets.create", "--input", '{"age":"old"}'], { env: keyed });
    expect(invalid.code, invalid.stderr).toBe(2);
    expect(invalid.stderr).toMatch(/^error: .*input/);
    expect(invalid.stderr).toMatch(/^ {2}\S*name\S*: /m);
    expect(invalid.stderr).toMatch(/^ {2}\S*age\S*: /m);
    expect(invalid.stderr).not.toContain("bug in waygate");
    const json = await runCli(["invoke", "shop", "pets.create", "--input", "{}", "--json"], { env: keyed });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({ status: 400, errors: expect.arrayContaining([expect.objectContaining({ field: expect.any(String) })]) });
  });

  it("shows and deletes an app's connection with a tenant key that names the app (--app)", async () => {
    const keyed = { ...env, WAYGATE_API_URL: server.url, WAYGATE_API_KEY: apiKey };
    const definition = path.join(env.HOME!, "vault.json");
    await import("node:fs/promises").then((fs) => fs.writeFile(definition, JSON.stringify({ ...petstore, slug: "vault" })));
    expect((await runCli(["integrations", "create", definition], { env: keyed })).code).toBe(0);
    for (const app of await Promise.all(["web", "batch"].map((name) => runCli(["apps", "create", name], { env: keyed })))) expect(app.code).toBe(0);
    const created = await runCli(["connections", "create", "vault", "--app", "web", "--user", "u1", "--key", "k-123", "--json"], { env: keyed });
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };

    const [unnamed, shown, wrongApp, webKeyed, batchKeyed] = await Promise.all([
      runCli(["connections", "show", id], { env: keyed }),
      runCli(["connections", "show", id, "--app", "web", "--json"], { env: keyed }),
      runCli(["connections", "show", id, "--app", "batch"], { env: keyed }),
      runCli(["apps", "keys", "create", "web", "--name", "t", "--json"], { env: keyed }),
      runCli(["apps", "keys", "create", "batch", "--name", "t", "--json"], { env: keyed }),
    ]);
    expect(unnamed.code).toBe(3);
    expect(unnamed.stderr).toContain("name the app with --app");
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, app: { name: "web" }, externalUserId: "u1" });
    expect(wrongApp.code).toBe(3);

    // An app key sees its own app's connection without --app, and never another app's, named or not.
    const keyOf = (result: { stdout: string }) => ({ ...keyed, WAYGATE_API_KEY: (JSON.parse(result.stdout) as { secret: string }).secret });
    const [own, otherShow, otherDelete] = await Promise.all([
      runCli(["connections", "show", id], { env: keyOf(webKeyed) }),
      runCli(["connections", "show", id, "--app", "web"], { env: keyOf(batchKeyed) }),
      runCli(["connections", "delete", id, "--app", "web", "--yes"], { env: keyOf(batchKeyed) }),
    ]);
    expect(own.code, own.stderr).toBe(0);
    expect([otherShow.code, otherDelete.code]).toEqual([3, 3]);

    const deleted = await runCli(["connections", "delete", id, "--app", "web", "--yes"], { env: keyed });
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(`Deleted connection ${id}.\n`);
    expect((await runCli(["connections", "show", id, "--app", "web"], { env: keyed })).code).toBe(3);
  });

  it("logs out, after which commands exit 4 and say how to log in", async () => {
    const logout = await runCli(["logout"], { env });
    expect(logout.stdout).toContain("removed the key");
    const after = await runCli(["integrations", "list"], { env });
    expect(after.code).toBe(4);
    expect(after.stderr).toContain("waygate login");
  });
});

describe("the built CLI without a server", () => {
  const env = isolatedEnv();

  it("exits 6 when the API is unreachable, naming the URL", async () => {
    const result = await runCli(["integrations", "list", "--api-url", "http://127.0.0.1:9", "--api-key", "wg_tenant_x"], { env });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain("cannot reach the Waygate API at http://127.0.0.1:9: connection refused");
  });

  it("exits 2 on an unknown command or flag, with a suggestion", async () => {
    const command = await runCli(["integrtions", "list"], { env });
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'integrtions'");
    expect(command.stderr).toContain("integrations");
    const flag = await runCli(["integrations", "list", "--serch", "x"], { env });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--serch'");
  });

  it("prints usage errors as problem+json on stderr under --json, exit 2 and nothing on stdout", async () => {
    for (const [argv, detail] of [
      [["integrtions", "list", "--json"], /unknown command 'integrtions'[\s\S]*integrations/],
      [["integrations", "list", "--serch", "x", "--json"], /unknown option '--serch'/],
      [["--json", "actions", "list", "github", "--limit", "ten"], /must be a positive whole number/],
      [["integrations", "show", "--json"], /missing required argument 'slug'/],
      [["integrations", "--json"], /a command is missing/],
    ] as const) {
      const result = await runCli([...argv], { env });
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      const problem = JSON.parse(result.stderr) as { type: string; title: string; detail: string; code: string };
      expect(problem).toMatchObject({ type: "https://waygate.dev/problems/usage", title: "Usage error", code: expect.stringMatching(/^commander\./) });
      expect(problem.detail).toMatch(detail);
    }
  });

  it("points waygate.json's $schema at the installed package relative to the folder init runs in", async () => {
    const { mkdirSync, mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const monorepo = mkdtempSync(path.join(tmpdir(), "waygate-monorepo-"));
    mkdirSync(path.join(monorepo, "node_modules", "waygate"), { recursive: true });
    writeFileSync(path.join(monorepo, "node_modules", "waygate", "waygate.schema.json"), "{}");
    const web = path.join(monorepo, "packages", "web");
    mkdirSync(web, { recursive: true });
    const init = await runCli(["init", "--app", "web"], { env, cwd: web });
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(web, "waygate.json"), "utf8"))).toMatchObject({ $schema: "../../node_modules/waygate/waygate.schema.json", app: "web" });
  });

  it("exits 2 on malformed flag values without doing anything", async () => {
    const result = await runCli(["actions", "list", "github", "--limit", "ten"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("must be a positive whole number");
    const port = await runCli(["server", "start", "--port", "99999"], { env });
    expect(port.code).toBe(2);
  });

  it("exits 2 for a non-Postgres database URL", async () => {
    const result = await runCli(["server", "init", "--database-url", "mysql://localhost/db"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("must start with postgres://");
  });

  it("exits 2 when login has no key and no terminal to prompt on", async () => {
    const result = await runCli(["login", "--api-url", "http://127.0.0.1:9"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no API key given");
  });

  it("prints the version and help", async () => {
    const version = await runCli(["--version"], { env });
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    const help = await runCli(["--help"], { env });
    expect(help.code).toBe(0);
    for (const noun of ["login", "whoami", "integrations", "actions", "keys", "server"]) expect(help.stdout).toContain(noun);
  });

  it("exits quietly when the reader closes stdout early (`waygate … | head`)", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("../support/cli.js");
    const child = spawn(process.execPath, [BIN, "--help"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(stderr).not.toContain("EPIPE");
  });

  it("stops the server cleanly on SIGINT and SIGTERM", async () => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const server = await startServerProcess([], isolatedEnv());
      const health = await fetch(`${server.url}/v1/health`);
      expect(health.status).toBe(200);
      expect(await server.stop(signal)).toBe(0);
      expect(server.stderr()).toContain(`Stopped (${signal})`);
    }
  });

  it("reports a port already in use instead of crashing", async () => {
    const first = await startServerProcess([], isolatedEnv());
    try {
      const port = new URL(first.url).port;
      const second = await runCli(["server", "start", "--port", port], { env: isolatedEnv() });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await first.stop();
    }
  });
});
