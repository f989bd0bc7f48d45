import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../support/stores.js";
import { runCli, startCliServer, type ServerProcess } from "../support/cli.js";

const base = {
  slug: "crm",
  name: "CRM",
  baseUrl: "https://crm.example.com",
  actions: [
    { name: "contacts.list", method: "GET", path: "/contacts" },
    { name: "contacts.delete", method: "DELETE", path: "/contacts/{id}" },
  ],
};
const v2 = { ...base, actions: [...base.actions, { name: "contacts.create", method: "POST", path: "/contacts" }] };
const v3 = { ...base, actions: [base.actions[0]] };

describe("versions, apps and pins through the built CLI", () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  let work: string;

  const write = (name: string, value: unknown) => {
    const file = path.join(work, name);
    writeFileSync(file, JSON.stringify(value));
    return file;
  };

  beforeAll(async () => {
    ({ database, server, env } = await startCliServer());
    work = mkdtempSync(path.join(tmpdir(), "waygate-project-"));
    for (const [name, definition, extra] of [["v1.json", base, []], ["v2.json", v2, []], ["v3.json", v3, ["--draft"]]] as const) {
      const result = await runCli(["integrations", "create", write(name, definition), ...extra], { env });
      expect(result.code, result.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("lists versions with the current one marked and shows one", async () => {
    const list = await runCli(["versions", "list", "crm"], { env });
    expect(list.stdout).toMatch(/^VERSION\s+STATUS\s+ACTIONS/);
    expect(list.stdout).toMatch(/^3\s+draft\s+1\s/m);
    expect(list.stdout).toMatch(/^2 \(current\)\s+published\s+3\s.*actions: 1 added$/m);
    const show = await runCli(["versions", "show", "crm", "1", "--json"], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ version: 1, status: "published", current: false, changelog: "first version" });
    expect((await runCli(["integrations", "show", "crm", "--json"], { env })).stdout).toContain('"versionCount": 3');
  });

  it("diffs versions and exits 5 on breaking changes with --fail-on-breaking", async () => {
    const safe = await runCli(["versions", "diff", "crm", "1", "2", "--fail-on-breaking"], { env });
    expect(safe.code, safe.stderr).toBe(0);
    expect(safe.stdout).toContain("+ added    contacts.create");
    expect(safe.stdout).toContain("no breaking changes");
    const breaking = await runCli(["versions", "diff", "crm", "2", "3", "--fail-on-breaking"], { env });
    expect(breaking.code).toBe(5);
    expect(breaking.stdout).toContain("- removed  contacts.delete (breaking)");
    expect(breaking.stderr).toContain("breaking change(s) between crm versions 2 and 3");
    const json = await runCli(["versions", "diff", "crm", "2", "3", "--json"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ breaking: true, summary: { removed: 2, added: 0 } });
  });

  it("refuses a breaking publish with exit 5, then publishes and rolls back", async () => {
    const refused = await runCli(["versions", "publish", "crm", "3", "--fail-on-breaking"], { env });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain("breaking change(s) against current version 2");
    const published = await runCli(["versions", "publish", "crm", "3"], { env });
    expect(published.stdout).toBe("Published crm version 3; it is now current.\n");
    const noConfirm = await runCli(["versions", "rollback", "crm", "--to", "2"], { env });
    expect(noConfirm.code).toBe(2);
    const rolled = await runCli(["versions", "rollback", "crm", "--to", "2", "--yes"], { env });
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(JSON.parse((await runCli(["integrations", "show", "crm", "--json"], { env })).stdout)).toMatchObject({ currentVersion: 2 });
  });

  it("creates an app with a key that can read integrations but not administer the tenant", async () => {
    expect((await runCli(["apps", "create", "web"], { env })).code).toBe(0);
    const duplicate = await runCli(["apps", "create", "web"], { env });
    expect(duplicate.code).toBe(5);
    const key = await runCli(["apps", "keys", "create", "web", "--name", "ci", "--json"], { env });
    const { secret } = JSON.parse(key.stdout) as { secret: string };
    expect(secret).toMatch(/^wg_app_/);
    const appEnv = { ...env, WAYGATE_API_KEY: secret };
    const whoami = await runCli(["whoami", "--json"], { env: appEnv });
    expect(JSON.parse(whoami.stdout)).toMatchObject({ app: { name: "web" }, key: { kind: "app" } });
    expect((await runCli(["integrations", "list"], { env: appEnv })).code).toBe(0);
    const forbidden = await runCli(["apps", "list"], { env: appEnv });
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr).toContain("needs a tenant key");
    const list = await runCli(["apps", "list"], { env });
    expect(list.stdout).toMatch(/^web\s+app_\S+\s+1\s+0\s/m);
  });

  it("writes waygate.json with init and keeps it in step with pin --save and unpin --save", async () => {
    const init = await runCli(["init", "--app", "web"], { env, cwd: work });
    expect(init.code, init.stderr).toBe(0);
    const file = path.join(work, "waygate.json");
    // A temp folder with no waygate installed above it: no `$schema` path that would not resolve.
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ app: "web", out: "./waygate", integrations: {} });
    expect((await runCli(["init", "--app", "web"], { env, cwd: work })).code).toBe(5);

    const pin = await runCli(["pin", "web", "crm@1", "--save"], { env, cwd: work });
    expect(pin.code, pin.stderr).toBe(0);
    expect(pin.stdout).toContain("Pinned web to crm@1 (current is 2).");
    expect(JSON.parse(readFileSync(file, "utf8")).integrations).toEqual({ crm: 1 });
    const pins = await runCli(["pins", "list", "web"], { env });
    expect(pins.stdout).toMatch(/^crm\s+1\s+2\s/m);

    const bad = await runCli(["pin", "web", "crm"], { env, cwd: work });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected <integration>@<version>");
    const missing = await runCli(["pin", "web", "crm@42", "--save"], { env, cwd: work });
    expect(missing.code).toBe(3);
    expect(JSON.parse(readFileSync(file, "utf8")).integrations).toEqual({ crm: 1 });

    const unpin = await runCli(["unpin", "web", "crm", "--save"], { env, cwd: work });
    expect(unpin.code, unpin.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).integrations).toEqual({});

    await runCli(["pin", "web", "crm@2"], { env });
    const fromPins = await runCli(["init", "--app", "web", "--from-pins", "--force", "--out", "src/waygate"], { env, cwd: work });
    expect(fromPins.code, fromPins.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ out: "src/waygate", integrations: { crm: 2 } });
  });

  it("deletes an app after confirmation, which revokes its keys", async () => {
    const key = JSON.parse((await runCli(["apps", "keys", "create", "web", "--json"], { env })).stdout) as { secret: string };
    expect((await runCli(["apps", "delete", "web"], { env })).code).toBe(2);
    expect((await runCli(["apps", "delete", "web", "--yes"], { env })).code).toBe(0);
    expect((await runCli(["whoami"], { env: { ...env, WAYGATE_API_KEY: key.secret } })).code).toBe(4);
  });
});
