import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstream, type Upstream } from "../../src/gateway/test-upstream.js";
import { runCli, startCliServer, type CliServer } from "../support/cli.js";

/**
 * Correcting an integration without importing it again, through the built CLI and a real
 * server: `integrations set-auth` for the scrape that found no auth (the seed's known issue),
 * `integrations edit` for anything else. Each correction is a new current version with a
 * changelog entry, and the next invoke follows it.
 */
// Each test starts several CLI processes; on a busy two-core machine one start can take seconds.
describe("correcting a scraped integration through the built CLI", { timeout: 90_000 }, () => {
  let cli: CliServer;
  let upstream: Upstream;
  let work: string;
  const versions = async () => JSON.parse((await runCli(["versions", "list", "notes", "--json"], { env: cli.env })).stdout) as { data: Array<{ version: number; changelog: string | null }> };

  beforeAll(async () => {
    upstream = await startUpstream({ "GET /v1/notes": (request) => ({ body: { key: request.headers["x-api-key"] ?? null } }) });
    cli = await startCliServer();
    work = mkdtempSync(path.join(tmpdir(), "waygate-correct-"));
    // What a scrape of a prose page that showed no auth produces: no scheme, and flagged unverified.
    const scraped = {
      slug: "notes",
      name: "Notes",
      baseUrl: `${upstream.url}/v1`,
      authSchemes: [],
      authTypeUnverified: true,
      actions: [{ name: "notes.list", method: "GET", path: "/notes", summary: "List notes" }],
    };
    writeFileSync(path.join(work, "notes.json"), JSON.stringify(scraped));
    const created = await runCli(["integrations", "create", path.join(work, "notes.json")], { env: cli.env });
    expect(created.code, created.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli?.stop();
    await upstream?.close();
  });

  it("set-auth: a new current version with a changelog entry, and the next invoke injects the credential", async () => {
    const fixed = await runCli(["integrations", "set-auth", "notes", "--type", "apiKey", "--name", "X-Api-Key"], { env: cli.env });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toBe('notes version 2 authenticates with API key in header "X-Api-Key"; it is current (apps pinned to earlier versions stay on them).\n');
    expect((await versions()).data[0]).toMatchObject({ version: 2, changelog: 'auth changed from none to API key in header "X-Api-Key"' });
    const show = JSON.parse((await runCli(["integrations", "show", "notes", "--json"], { env: cli.env })).stdout) as Record<string, unknown>;
    expect(show).toMatchObject({ currentVersion: 2, authTypeUnverified: false, authSchemes: [{ type: "apiKey", name: "X-Api-Key", in: "header" }] });

    expect((await runCli(["apps", "create", "web"], { env: cli.env })).code).toBe(0);
    const connection = await runCli(["connections", "create", "notes", "--app", "web", "--user", "u1", "--key", "key-from-the-vault"], { env: cli.env });
    expect(connection.code, connection.stderr).toBe(0);
    const invoked = await runCli(["invoke", "notes", "notes.list", "--app", "web", "--user", "u1", "--json"], { env: cli.env });
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(upstream.hits("GET /v1/notes").at(-1)?.headers["x-api-key"]).toBe("key-from-the-vault");

    const again = await runCli(["integrations", "set-auth", "notes", "--type", "apiKey", "--name", "X-Api-Key"], { env: cli.env });
    expect(again.stdout).toBe('notes already authenticates with API key in header "X-Api-Key" (version 2).\n');
  });

  it("set-auth refuses flags of another type and missing ones before any request (exit 2)", async () => {
    const offline = { ...cli.env, WAYGATE_API_URL: "http://127.0.0.1:9" };
    const mixed = await runCli(["integrations", "set-auth", "notes", "--type", "bearer", "--name", "X-Api-Key"], { env: offline });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("--name does not apply to --type bearer");
    const oauth = await runCli(["integrations", "set-auth", "notes", "--type", "oauth2"], { env: offline });
    expect(oauth.code).toBe(2);
    expect(oauth.stderr).toContain("--type oauth2 needs --token-url");
    const missing = await runCli(["integrations", "set-auth", "nope", "--type", "basic"], { env: cli.env });
    expect(missing.code).toBe(3);
  });

  it("edit opens the current definition in $EDITOR and saves the change as the next version", async () => {
    // An "editor" that renames the action's summary in place, as a person would.
    const editor = path.join(work, "edit-summary.mjs");
    writeFileSync(
      editor,
      `#!/usr/bin/env node\nimport { readFileSync, writeFileSync } from "node:fs";\nconst file = process.argv[2];\nconst definition = JSON.parse(readFileSync(file, "utf8"));\ndefinition.actions[0].summary = "List every note";\nwriteFileSync(file, JSON.stringify(definition, null, 2));\n`,
    );
    chmodSync(editor, 0o755);
    const edited = await runCli(["integrations", "edit", "notes"], { env: { ...cli.env, EDITOR: editor, VISUAL: "" } });
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toBe("Saved notes version 3; it is current (apps pinned to earlier versions stay on them).\n");
    expect((await versions()).data[0]).toMatchObject({ version: 3, changelog: expect.stringMatching(/1 changed/) });
    const actions = JSON.parse((await runCli(["actions", "list", "notes", "--json"], { env: cli.env })).stdout) as { data: Array<{ summary: string }> };
    expect(actions.data[0]?.summary).toBe("List every note");

    const untouched = await runCli(["integrations", "edit", "notes"], { env: { ...cli.env, EDITOR: "true", VISUAL: "" } });
    expect(untouched.code, untouched.stderr).toBe(0);
    expect(untouched.stdout).toBe("Nothing changed: notes stays at version 3.\n");
  });

  it("an edit that is not a valid definition saves nothing and is kept on disk; a failing editor saves nothing", async () => {
    const breaker = path.join(work, "break.mjs");
    writeFileSync(breaker, `#!/usr/bin/env node\nimport { writeFileSync } from "node:fs";\nwriteFileSync(process.argv[2], '{ "slug": "notes", "name": "Notes", "baseUrl": "not a url", "actions": [] }');\n`);
    chmodSync(breaker, 0o755);
    const broken = await runCli(["integrations", "edit", "notes"], { env: { ...cli.env, EDITOR: breaker, VISUAL: "" } });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("is not a valid integration definition");
    expect(broken.stderr).toContain("baseUrl");
    const kept = /Your edit is kept in (\S+): fix it/.exec(broken.stderr)?.[1];
    expect(kept).toBeDefined();
    expect(readdirSync(path.dirname(kept!))).toEqual(["notes.json"]);

    const failing = await runCli(["integrations", "edit", "notes"], { env: { ...cli.env, EDITOR: "false", VISUAL: "" } });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain("nothing was saved");
    expect((await versions()).data[0]?.version).toBe(3);
  });

  it("edit --file saves a definition from a file, and refuses one for another slug (exit 2)", async () => {
    const other = path.join(work, "other.json");
    writeFileSync(other, JSON.stringify({ slug: "other", name: "Other", baseUrl: "https://other.example.com", actions: [] }));
    const refused = await runCli(["integrations", "edit", "notes", "--file", other], { env: cli.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the definition is for "other", not "notes"');

    const next = path.join(work, "notes-v4.json");
    writeFileSync(next, JSON.stringify({ slug: "notes", name: "Notes", baseUrl: `${upstream.url}/v1`, authSchemes: [{ type: "apiKey", name: "X-Api-Key", in: "header" }], actions: [{ name: "notes.list", method: "GET", path: "/notes", summary: "List every note" }, { name: "notes.get", method: "GET", path: "/notes/{id}" }] }));
    const saved = await runCli(["integrations", "edit", "notes", "--file", next, "--draft"], { env: cli.env });
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toBe("Saved notes version 4 as a draft; publish it with `waygate versions publish notes 4`.\n");
  });
});
