/**
 * The whole path on the big real spec, through the built CLI: a real server, `waygate
 * scrape` of the GitHub REST API (1200+ operations), `waygate generate` into a project,
 * and the written client compiled with TypeScript 5.9 and 7 together with application
 * code. test/codegen/github.test.ts covers the same generator output in depth (every
 * module setting, mistakes, autocomplete, snippets); here one 5.9 compile (the slow one)
 * and both TypeScript 7 settings are enough.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDir, SETTINGS, typecheck } from "../codegen/support/compile.js";
import { CORRECT_CONSUMER } from "../codegen/support/github-consumers.js";
import { GITHUB_SPEC_PATH } from "../codegen/support/github-manifest.js";
import { tsc7 } from "../codegen/support/tsc7.js";
import { isolatedEnv, runCli, startServerProcess, type ServerProcess } from "../support/cli.js";
import { createTestDatabase, type TestDatabase } from "../support/stores.js";

/** A loaded 2-core machine imports and generates the GitHub client in seconds, but give it room. */
const SLOW_CLI_MS = 150_000;

describe("waygate generate on the GitHub REST API, through the built CLI", () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  let project: string;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    env = isolatedEnv();
    const init = await runCli(["server", "init", "--json", ...database.args], { env });
    const { apiKey } = JSON.parse(init.stdout) as { apiKey: string };
    server = await startServerProcess(database.args, env);
    env = { ...env, WAYGATE_API_URL: server.url, WAYGATE_API_KEY: apiKey };
    project = mkdtempSync(path.join(tmpdir(), "waygate-gen-github-"));
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    if (project) removeDir(project);
  });

  it("scrapes the spec into version 1 of github", async () => {
    const result = await runCli(["scrape", GITHUB_SPEC_PATH, "--slug", "github", "--json"], { env, cwd: project, timeoutMs: SLOW_CLI_MS });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: "imported", integration: "github", version: 1, created: true });
  }, SLOW_CLI_MS);

  it("generates the client into the project as one JSON summary", async () => {
    const result = await runCli(["generate", "--json"], { env, cwd: project, timeoutMs: SLOW_CLI_MS });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const summary = JSON.parse(result.stdout) as { integrations: Array<{ slug: string; version: number; actions: number }>; files: Array<{ path: string; status: string }>; importPath: string };
    expect(summary.integrations).toEqual([{ slug: "github", version: 1, actions: expect.any(Number) }]);
    expect(summary.integrations[0]!.actions).toBeGreaterThan(1000);
    // A module per group with its declarations beside it.
    const groupModules = summary.files.filter((file) => /^github\.[a-z0-9-]+\.(js|d\.ts)$/.test(file.path) && !file.path.endsWith(".types.d.ts"));
    expect(groupModules.length).toBeGreaterThan(40);
    expect(groupModules.filter((file) => file.path.endsWith(".js")).map((file) => file.path.replace(/\.js$/, ".d.ts"))).toEqual(groupModules.filter((file) => file.path.endsWith(".d.ts")).map((file) => file.path));
    expect(summary.files.filter((file) => !groupModules.includes(file))).toEqual(["github.groups.lazy.d.ts", "github.groups.lazy.js", "github.ts", "github.types.d.ts", "index.ts", "runtime-batch.d.ts", "runtime-batch.js", "runtime-error-map.d.ts", "runtime-error-map.js", "runtime-errors.d.ts", "runtime-errors.js", "runtime-paging.d.ts", "runtime-paging.js", "runtime-request.d.ts", "runtime-request.js", "runtime.d.ts", "runtime.js"].map((file) => ({ path: file, status: "created" })));
    expect(summary.importPath).toBe("./waygate/index.js");
    // A forgotten baseUrl must not send production traffic to the machine the client was generated on.
    expect(readFileSync(path.join(project, "waygate", "index.ts"), "utf8")).not.toContain(server.url);
    writeFileSync(path.join(project, CORRECT_CONSUMER.file), CORRECT_CONSUMER.source);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ type: "module" }));
  }, SLOW_CLI_MS);

  it("compiles with application code under TypeScript 5.9 (strict, NodeNext, isolatedDeclarations): zero diagnostics", () => {
    const roots = [CORRECT_CONSUMER.file, "waygate/index.ts", "waygate/github.ts", "waygate/runtime.d.ts"];
    expect(typecheck(project, roots, SETTINGS.nodenext)).toEqual([]);
  }, SLOW_CLI_MS);

  it.each(["nodenext", "bundler"] as const)("compiles with application code under TypeScript 7 (%s): exit 0 and no output", async (setting) => {
    const roots = [CORRECT_CONSUMER.file, "waygate/index.ts", "waygate/github.ts", "waygate/runtime.d.ts"];
    const result = await tsc7(project, roots, SETTINGS[setting], setting);
    expect({ exitCode: result.exitCode, output: result.output }).toEqual({ exitCode: 0, output: "" });
  }, SLOW_CLI_MS);

  it("--check passes on the client just written", async () => {
    const result = await runCli(["generate", "--check"], { env, cwd: project, timeoutMs: SLOW_CLI_MS });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Up to date: .* matches github@1 \(\d+ actions\)\.\n$/);
  }, SLOW_CLI_MS);
});
