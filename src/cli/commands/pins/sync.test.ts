import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CommanderError } from "commander";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadManifest } from "../../../../test/codegen/support/manifests.js";
import { startTestServer, type TestServer } from "../../../../test/support/server.js";
import type { Executor } from "../../command.js";
import { createContext, type Context } from "../../context.js";
import { ExitCode } from "../../errors.js";
import { createBufferIO } from "../../io.js";
import { emit } from "../../output.js";
import { buildProgram } from "../../program.js";
import type { Prompter } from "../../prompter.js";
import { render, run, type SyncOptions } from "./sync.js";

async function parse(argv: string[]): Promise<unknown> {
  let options: unknown;
  const execute: Executor = async (invocation) => void (options = invocation.options);
  const program = buildProgram({ execute, writeOut: () => {}, writeErr: () => {} });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return { usageError: error.message };
    throw error;
  }
  return options;
}

describe("argv → options", () => {
  it.each([
    [["pins", "sync"], { fromServer: false, prune: false, dryRun: false }],
    [["pins", "sync", "--from-server", "--app", "web"], { app: "web", fromServer: true, prune: false, dryRun: false }],
    [["pins", "sync", "--prune", "--dry-run"], { fromServer: false, prune: true, dryRun: true }],
  ])("%j → %j", async (argv, options) => {
    expect(await parse(argv)).toEqual(options);
  });
});

describe("waygate pins sync against the real API", () => {
  let server: TestServer;
  let cwd: string;
  const small = loadManifest("small-manifest.json");

  const api = async (method: string, route: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(server.url + route, {
      method,
      headers: { authorization: `Bearer ${server.tenantKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    expect(response.status, `${method} ${route}: ${text}`).toBeLessThan(300);
    return text ? JSON.parse(text) : null;
  };
  const serverPins = async () =>
    Object.fromEntries(((await api("GET", "/v1/apps/web/pins")) as { data: Array<{ integration: string; version: number }> }).data.map((pin) => [pin.integration, pin.version]));
  const projectPins = () => (JSON.parse(readFileSync(path.join(cwd, "waygate.json"), "utf8")) as { integrations: Record<string, number> }).integrations;
  const setServerPins = async (pins: Record<string, number>) => {
    for (const slug of Object.keys(await serverPins())) await api("DELETE", `/v1/apps/web/pins/${slug}`);
    for (const [slug, version] of Object.entries(pins)) await api("PUT", `/v1/apps/web/pins/${slug}`, { version });
  };

  const contextFor = (options: { yes?: boolean; json?: boolean; answer?: boolean } = {}) => {
    const io = createBufferIO({ tty: false });
    let context: Context = createContext({
      io,
      env: { WAYGATE_CONFIG_DIR: mkdtempSync(path.join(tmpdir(), "waygate-cmd-")), WAYGATE_API_URL: server.url, WAYGATE_API_KEY: server.tenantKey },
      globals: { json: options.json ?? false, debug: false, color: false, yes: options.yes ?? false },
    });
    const asked: string[] = [];
    if (options.answer !== undefined) {
      const prompter: Prompter = {
        interactive: true,
        password: () => Promise.reject(new Error("no password prompt expected")),
        confirm: async (question) => (asked.push(question), options.answer!),
      };
      context = Object.create(context, { prompter: { value: prompter } }) as Context;
    }
    return { io, context, asked };
  };
  const sync = async (options: Partial<SyncOptions>, io: Parameters<typeof contextFor>[0] = { yes: true }) => {
    const { io: buffers, context, asked } = contextFor(io);
    const result = await run(context, { fromServer: false, prune: false, dryRun: false, cwd, ...options });
    emit(context, result, render);
    return { result, stdout: buffers.stdout(), stderr: buffers.stderr(), asked };
  };

  beforeAll(async () => {
    server = await startTestServer();
    for (const integration of small.integrations) {
      const { version: _version, contentHash, description, ...definition } = integration;
      await server.store.versions.save(server.tenantId, { ...definition, ...(description ? { description } : {}) }, { contentHash, createdBy: "test" });
      await server.store.versions.save(server.tenantId, { ...definition, description: "second" }, { contentHash: `${contentHash}-2`, createdBy: "test" });
    }
    await api("POST", "/v1/integrations", { slug: "todo", name: "Todo", baseUrl: "https://todo.example.com", actions: [{ name: "todos.list", method: "GET", path: "/todos" }] });
    await api("POST", "/v1/apps", { name: "web" });
  });
  afterAll(async () => server.close());
  beforeEach(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), "waygate-sync-"));
    writeFileSync(path.join(cwd, "waygate.json"), JSON.stringify({ app: "web", integrations: { slack: 1, "acme-crm": 1 } }));
    // `waygate pin web slack@2` without --save, and a pin for an integration the repository does not use.
    await setServerPins({ slack: 2, todo: 1 });
  });

  it("--dry-run shows how the server's pins would follow waygate.json and changes nothing", async () => {
    const { result, stdout, stderr } = await sync({ dryRun: true }, {});
    expect(result).toMatchObject({
      app: "web",
      wrote: "server",
      applied: false,
      changes: [
        { integration: "acme-crm", from: null, to: 1 },
        { integration: "slack", from: 2, to: 1 },
      ],
      untouched: [{ integration: "todo", version: 1 }],
    });
    expect(stdout).toBe(`Would pin web on the server to ${path.join(cwd, "waygate.json")}:\n  acme-crm unpinned → 1\n  slack 2 → 1\n`);
    expect(stderr).toBe("Left as they are: todo@1 (pinned on the server, not in waygate.json; --prune unpins them).\n");
    expect(await serverPins()).toEqual({ slack: 2, todo: 1 });
  });

  it("without a terminal and without --yes refuses (exit 2, problem status 400) and says what it would change", async () => {
    const { context } = contextFor({});
    await expect(run(context, { fromServer: false, prune: false, dryRun: false, cwd })).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringContaining("  slack 2 → 1\nConfirm with --yes"),
      problem: { status: 400, code: "confirmation-required" },
    });
    expect(await serverPins()).toEqual({ slack: 2, todo: 1 });
  });

  it("on a terminal shows the plan and asks; no leaves the server alone, yes pins it", async () => {
    const declined = contextFor({ answer: false });
    await expect(run(declined.context, { fromServer: false, prune: false, dryRun: false, cwd })).rejects.toMatchObject({ exitCode: ExitCode.usage, message: "cancelled" });
    expect(declined.io.stderr()).toContain("  slack 2 → 1\n");
    expect(declined.asked).toEqual(["Change the server's pins?"]);
    expect(await serverPins()).toEqual({ slack: 2, todo: 1 });
    const { result } = await sync({}, { answer: true });
    expect(result.applied).toBe(true);
    expect(await serverPins()).toEqual({ "acme-crm": 1, slack: 1, todo: 1 });
  });

  it("--yes pins the server to waygate.json in one go; then both agree", async () => {
    const { stdout } = await sync({});
    expect(stdout).toBe(`Pinned web on the server to ${path.join(cwd, "waygate.json")}:\n  acme-crm unpinned → 1\n  slack 2 → 1\n`);
    expect(await serverPins()).toEqual({ "acme-crm": 1, slack: 1, todo: 1 });
    expect(projectPins()).toEqual({ "acme-crm": 1, slack: 1 });
    const again = await sync({});
    expect(again.result).toMatchObject({ changes: [], applied: false });
    expect(again.stdout).toBe(`${path.join(cwd, "waygate.json")} and the server's pins for web agree.\n`);
  });

  it("--prune also unpins what waygate.json does not list", async () => {
    const { result } = await sync({ prune: true });
    expect(result.changes).toContainEqual({ integration: "todo", from: 1, to: null });
    expect(await serverPins()).toEqual({ "acme-crm": 1, slack: 1 });
  });

  it("--from-server writes waygate.json from the server's pins (adding, changing and dropping entries) and says to regenerate", async () => {
    const { result, stdout, stderr } = await sync({ fromServer: true });
    expect(result).toMatchObject({
      wrote: "project",
      applied: true,
      changes: [
        { integration: "acme-crm", from: 1, to: null },
        { integration: "slack", from: 1, to: 2 },
        { integration: "todo", from: null, to: 1 },
      ],
    });
    expect(stdout).toContain("  acme-crm 1 → not listed\n  slack 1 → 2\n  todo not listed → 1\n");
    expect(stderr).toContain("waygate generate");
    expect(projectPins()).toEqual({ slack: 2, todo: 1 });
    expect(JSON.parse(readFileSync(path.join(cwd, "waygate.json"), "utf8"))).toMatchObject({ app: "web", out: "./waygate" });
    expect(await serverPins()).toEqual({ slack: 2, todo: 1 });
  });

  it("--json prints the result as one document", async () => {
    const { stdout } = await sync({ dryRun: true }, { json: true });
    expect(JSON.parse(stdout)).toMatchObject({ app: "web", wrote: "server", dryRun: true, changes: [{ integration: "acme-crm" }, { integration: "slack" }] });
  });

  it("refuses --prune with --from-server, and a directory without waygate.json", async () => {
    await expect(sync({ fromServer: true, prune: true })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    await expect(sync({ cwd: mkdtempSync(path.join(tmpdir(), "waygate-empty-")) })).rejects.toMatchObject({ message: expect.stringContaining("no waygate.json here") });
  });

  it("stops at a version the server refuses, naming what it already changed", async () => {
    writeFileSync(path.join(cwd, "waygate.json"), JSON.stringify({ app: "web", integrations: { "acme-crm": 1, slack: 9 } }));
    await expect(sync({})).rejects.toMatchObject({ name: "ApiError", status: 404, message: expect.stringContaining("already changed on the server: acme-crm unpinned → 1") });
    expect(await serverPins()).toEqual({ "acme-crm": 1, slack: 2, todo: 1 });
  });
});
