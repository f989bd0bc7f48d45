import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifest } from "../../../../test/codegen/support/manifests.js";
import { startTestServer, type TestServer } from "../../../../test/support/server.js";
import type { Executor } from "../../command.js";
import { createContext } from "../../context.js";
import { ExitCode } from "../../errors.js";
import { createBufferIO } from "../../io.js";
import { emit } from "../../output.js";
import { buildProgram } from "../../program.js";
import { report } from "../../run.js";
import { importPath, render, run, type GenerateOptions, type GenerateResult } from "./generate.js";
import { manifestSelection } from "./selection.js";

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
    [["generate"], { check: false }],
    [["gen", "--check", "--out", "client", "--app", "web"], { check: true, out: "client", app: "web" }],
    [["generate", "--integrations", "github, slack,"], { check: false, integrations: ["github", "slack"] }],
    [["generate", "--integrations", ""], { check: false, integrations: [] }],
    [["generate", "--force"], { check: false, force: true }],
  ])("%j → %j", async (argv, options) => {
    expect(await parse(argv)).toEqual(options);
  });

  it("--integrations needs a value", async () => {
    expect(await parse(["generate", "--integrations"])).toEqual({ usageError: expect.stringContaining("argument missing") });
  });
});

describe("which integrations the manifest asks for", () => {
  const pinned = { github: 3, slack: 2 };
  it.each([
    ["waygate.json pins, no flag: all of them at their versions", pinned, undefined, "github@3,slack@2"],
    ["no pins, no flag: everything", {}, undefined, undefined],
    ["pins and --integrations: the intersection, at the pinned versions", pinned, ["slack"], "slack@2"],
    ["no pins and --integrations: the slugs, each at the app's version", {}, ["slack", "github", "slack"], "slack,github"],
  ] as const)("%s", (_name, pins, only, query) => {
    expect(manifestSelection(pins, only, "/p/waygate.json")).toBe(query);
  });

  it.each([
    [pinned, ["jira"], /--integrations: jira is not in \/p\/waygate\.json, which lists github, slack; add it with `waygate pin/],
    [pinned, ["jira", "linear", "github"], /jira, linear are not in \/p\/waygate\.json/],
    [{}, ["GitHub"], /"GitHub" is not an integration slug/],
    [{}, ["github@2"], /pin versions in waygate\.json/],
    [{}, [], /needs at least one integration slug/],
  ] as const)("refuses %j with --integrations %j as a usage error", (pins, only, message) => {
    let caught: unknown;
    try {
      manifestSelection(pins, only, "/p/waygate.json");
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ exitCode: ExitCode.usage, message: expect.stringMatching(message) });
  });
});

describe("importPath", () => {
  it.each([
    ["/p", "/p/waygate", "./waygate/index.js"],
    ["/p", "/p/src/client", "./src/client/index.js"],
    ["/p/app", "/p/shared/waygate", "../shared/waygate/index.js"],
  ])("from %s to %s is %s", (cwd, out, specifier) => {
    expect(importPath(cwd, out)).toBe(specifier);
  });
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("waygate generate against the real API", () => {
  let server: TestServer;
  const small = loadManifest("small-manifest.json");

  beforeAll(async () => {
    server = await startTestServer();
    for (const integration of small.integrations) {
      const { version: _version, contentHash, description, ...definition } = integration;
      await server.store.versions.save(server.tenantId, { ...definition, ...(description ? { description } : {}) }, { contentHash, createdBy: "test" });
    }
  });
  afterAll(async () => server.close());

  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(server.url + route, {
      method,
      headers: { authorization: `Bearer ${server.tenantKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, `${method} ${route}: ${await response.clone().text()}`).toBeLessThan(300);
  };

  const contextFor = (options: { tty?: boolean; json?: boolean; env?: Record<string, string> } = {}) => {
    const io = createBufferIO({ tty: options.tty ?? false });
    const context = createContext({
      io,
      env: { WAYGATE_CONFIG_DIR: mkdtempSync(path.join(tmpdir(), "waygate-cmd-")), WAYGATE_API_URL: server.url, WAYGATE_API_KEY: server.tenantKey, ...options.env },
      globals: { json: options.json ?? false, debug: false, color: false, yes: false },
    });
    return { io, context };
  };
  const generate = async (options: Partial<GenerateOptions> & { cwd: string }, io: { tty?: boolean; json?: boolean; env?: Record<string, string> } = {}) => {
    const { io: buffers, context } = contextFor(io);
    const result = await run(context, { check: false, ...options });
    emit(context, result, render);
    return { result, stdout: buffers.stdout(), stderr: buffers.stderr() };
  };
  const project = () => mkdtempSync(path.join(tmpdir(), "waygate-gen-cmd-"));

  it("without a terminal: the summary on stdout, written files and how to import the client on stderr, no spinner", async () => {
    const cwd = project();
    const { stdout, stderr } = await generate({ cwd });
    const out = path.join(cwd, "waygate");
    expect(stdout).toBe(`Generated ${out} for acme-crm@1 (5 actions), slack@1 (3 actions).\n`);
    expect(stderr).toBe(
      ["acme-crm.contacts.d.ts", "acme-crm.contacts.js", "acme-crm.deals.d.ts", "acme-crm.deals.js", "acme-crm.events.d.ts", "acme-crm.events.js", "acme-crm.ts", "acme-crm.types.d.ts", "index.ts", "runtime-batch.d.ts", "runtime-batch.js", "runtime-error-map.d.ts", "runtime-error-map.js", "runtime-errors.d.ts", "runtime-errors.js", "runtime-paging.d.ts", "runtime-paging.js", "runtime-request.d.ts", "runtime-request.js", "runtime.d.ts", "runtime.js", "slack.chat.d.ts", "slack.chat.js", "slack.conversations.d.ts", "slack.conversations.js", "slack.ts", "slack.types.d.ts", "slack.users.d.ts", "slack.users.js"]
        .map((file) => `created  ${path.join(out, file)}\n`)
        .join("") +
        'Import it from code in this directory: import { createWaygate } from "./waygate/index.js";\n',
    );
  });

  it("on a terminal: a spinner on stderr names each stage with its counts; stdout is unchanged", async () => {
    const cwd = project();
    const { stdout, stderr } = await generate({ cwd }, { tty: true });
    expect(stdout).toBe(`Generated ${path.join(cwd, "waygate")} for acme-crm@1 (5 actions), slack@1 (3 actions).\n`);
    const stages = [`Fetching the SDK manifest from ${server.url}`, "Generating 2 integrations / 8 actions", "Comparing 29 files with", "Writing 29 files to"];
    for (const stage of stages) expect(stderr).toContain(stage);
    expect(stages.map((stage) => stderr.indexOf(stage))).toEqual([...stages.map((stage) => stderr.indexOf(stage))].sort((a, b) => a - b));
  });

  it.each([
    ["--json", { tty: true, json: true }],
    ["CI", { tty: true, env: { CI: "true" } }],
    ["TERM=dumb", { tty: true, env: { TERM: "dumb" } }],
  ])("no spinner with %s even on a terminal", async (_name, io) => {
    const { stderr } = await generate({ cwd: project() }, io);
    expect(stderr).not.toContain("Fetching");
  });

  it("--json prints one JSON document with the import path", async () => {
    const cwd = project();
    const { stdout, stderr } = await generate({ cwd, out: "src/client" }, { json: true });
    const result = JSON.parse(stdout) as GenerateResult;
    expect(result).toMatchObject({ out: path.join(cwd, "src/client"), importPath: "./src/client/index.js", checked: false });
    expect(result.integrations.map((integration) => integration.slug)).toEqual(["acme-crm", "slack"]);
    expect(stderr).toBe("");
  });

  it("--integrations without waygate.json generates only those, and removes the files of one left out", async () => {
    const cwd = project();
    await generate({ cwd });
    const { result, stdout } = await generate({ cwd, integrations: ["slack"] });
    expect(stdout).toContain("for slack@1 (3 actions).");
    expect(result.files.filter((file) => file.status === "removed").map((file) => file.path)).toEqual(["acme-crm.contacts.d.ts", "acme-crm.contacts.js", "acme-crm.deals.d.ts", "acme-crm.deals.js", "acme-crm.events.d.ts", "acme-crm.events.js", "acme-crm.ts", "acme-crm.types.d.ts"]);
    expect(readdirSync(path.join(cwd, "waygate")).sort()).toEqual(["index.ts", "runtime-batch.d.ts", "runtime-batch.js", "runtime-error-map.d.ts", "runtime-error-map.js", "runtime-errors.d.ts", "runtime-errors.js", "runtime-paging.d.ts", "runtime-paging.js", "runtime-request.d.ts", "runtime-request.js", "runtime.d.ts", "runtime.js", "slack.chat.d.ts", "slack.chat.js", "slack.conversations.d.ts", "slack.conversations.js", "slack.ts", "slack.types.d.ts", "slack.users.d.ts", "slack.users.js"]);
  });

  it("--integrations with waygate.json keeps its pinned versions and refuses a slug it does not list", async () => {
    const cwd = project();
    expect((await server.store.apps.create(server.tenantId, "web")) === "name-taken").toBe(false);
    writeFileSync(path.join(cwd, "waygate.json"), JSON.stringify({ app: "web", integrations: { slack: 1, "acme-crm": 1 } }));
    const { stdout } = await generate({ cwd, integrations: ["acme-crm"] });
    expect(stdout).toContain("for acme-crm@1 (5 actions).");
    const { context } = contextFor();
    await expect(run(context, { check: false, cwd, integrations: ["github"] })).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringContaining(`github is not in ${path.join(cwd, "waygate.json")}, which lists acme-crm, slack`),
    });
  });

  it("--integrations naming an unknown integration is not found (exit 3) and writes nothing", async () => {
    const cwd = project();
    const { context } = contextFor();
    await expect(run(context, { check: false, cwd, integrations: ["nope"] })).rejects.toMatchObject({ name: "ApiError", status: 404 });
    expect(existsSync(path.join(cwd, "waygate"))).toBe(false);
  });

  it("--check passes on what was just generated and names the stale file otherwise", async () => {
    const cwd = project();
    await generate({ cwd });
    const { stdout } = await generate({ cwd, check: true });
    expect(stdout).toMatch(/^Up to date: /);
    writeFileSync(path.join(cwd, "waygate", "slack.ts"), "// Generated by waygate, then edited\n");
    writeFileSync(path.join(cwd, "waygate", "slack.types.d.ts"), "// Generated by waygate, then edited\n");
    const { context } = contextFor();
    await expect(run(context, { check: true, cwd })).rejects.toMatchObject({
      exitCode: ExitCode.conflict,
      message: expect.stringMatching(new RegExp(`^the client in ${escape(path.join(cwd, "waygate"))} is out of date: .*slack\\.ts.*slack\\.types\\.d\\.ts.*\\. Run \`waygate generate\`\\.$`)),
    });
  });

  it("--check --json: the summary with its changes on stdout, and a problem+json error with status 409 (exit 5)", async () => {
    const cwd = project();
    await generate({ cwd });
    writeFileSync(path.join(cwd, "waygate", "slack.ts"), "// Generated by waygate, then edited\n");
    const { io, context } = contextFor({ json: true });
    const error = await run(context, { check: true, cwd }).catch((caught: unknown) => caught);
    const summary = JSON.parse(io.stdout()) as GenerateResult;
    expect(summary.changes.summary).toContain("slack.ts");
    expect(summary.files.find((file) => file.path === "slack.ts")).toEqual({ path: "slack.ts", status: "updated" });
    const errors = createBufferIO({ tty: false });
    expect(report(error, errors, { json: true, debug: false })).toBe(ExitCode.conflict);
    expect(JSON.parse(errors.stderr())).toMatchObject({
      type: "https://waygate.dev/problems/conflict",
      status: 409,
      code: "client-stale",
      detail: expect.stringContaining("is out of date"),
      errors: [{ field: path.join(cwd, "waygate"), message: summary.changes.summary }],
    });
  });

  it("--check fails (exit 5) while the server's pins for the app differ from waygate.json, and passes once they agree", async () => {
    const cwd = project();
    await api("POST", "/v1/apps", { name: "ci" });
    writeFileSync(path.join(cwd, "waygate.json"), JSON.stringify({ app: "ci", integrations: { slack: 1 } }));
    await generate({ cwd });
    const check = async () => {
      const { context } = contextFor();
      return run(context, { check: true, cwd }).catch((caught: unknown) => caught as Error & { problem?: unknown });
    };
    // `waygate pin` was never run: the server runs ci on slack's current version, whatever that becomes.
    expect(await check()).toMatchObject({
      exitCode: ExitCode.conflict,
      message: expect.stringContaining(`${path.join(cwd, "waygate.json")} and the server's pins for ci differ: slack (waygate.json 1, not pinned on the server)`),
      problem: { status: 409, code: "pins-differ", errors: [{ field: "waygate.json#/integrations/slack", message: "slack (waygate.json 1, not pinned on the server)" }] },
    });
    await api("PUT", "/v1/apps/ci/pins/slack", { version: 1 });
    expect(await check()).toMatchObject({ checked: true, pinDifferences: [] });
    // `waygate pin ci slack@2` without --save: the server runs 2, the client is typed for 1.
    const { version: _version, contentHash: _hash, description: _description, ...slack } = small.integrations.find((integration) => integration.slug === "slack")!;
    await server.store.versions.save(server.tenantId, { ...slack, description: "slack, second version" }, { contentHash: "sha256:slack-2", createdBy: "test" });
    await api("PUT", "/v1/apps/ci/pins/slack", { version: 2 });
    expect(await check()).toMatchObject({ exitCode: ExitCode.conflict, message: expect.stringContaining("slack (waygate.json 1, server 2)"), problem: { code: "pins-differ" } });
  });

  it("refuses to overwrite a hand-written index.ts unless --force, and never writes through a planted symlink", async () => {
    const cwd = project();
    const out = path.join(cwd, "waygate");
    mkdirSync(out);
    writeFileSync(path.join(out, "index.ts"), "export const mine = 1;\n");
    const outside = mkdtempSync(path.join(tmpdir(), "waygate-outside-"));
    writeFileSync(path.join(outside, "target.ts"), "// not yours\n");
    symlinkSync(path.join(outside, "target.ts"), path.join(out, "runtime.js"));
    const { context } = contextFor();
    await expect(run(context, { check: false, cwd })).rejects.toMatchObject({
      exitCode: ExitCode.conflict,
      message: expect.stringContaining(`refusing to replace ${path.join(out, "index.ts")} (not written by waygate generate), ${path.join(out, "runtime.js")} (a symbolic link)`),
    });
    expect(readFileSync(path.join(out, "index.ts"), "utf8")).toBe("export const mine = 1;\n");
    await generate({ cwd, force: true });
    expect(readFileSync(path.join(out, "index.ts"), "utf8")).toMatch(/^\/\/ Generated by waygate /);
    expect(lstatSync(path.join(out, "runtime.js")).isFile()).toBe(true);
    expect(readFileSync(path.join(outside, "target.ts"), "utf8")).toBe("// not yours\n");
  });

  it("refuses an output folder that is the working directory (exit 2), before asking the server", async () => {
    const cwd = project();
    const { context } = contextFor();
    await expect(run(context, { check: false, cwd, out: "." })).rejects.toMatchObject({ exitCode: ExitCode.usage, message: expect.stringContaining("it is the working directory") });
    expect(readdirSync(cwd)).toEqual([]);
  });
});
