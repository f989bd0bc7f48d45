import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import type { ImportProgress } from "../../importer/index.js";
import { GITHUB_SPEC_PATH } from "../../../test/codegen/support/github-manifest.js";
import { importProcessesOf, isRunning } from "../../../test/support/processes.js";
import { runImport, type ImportProcess } from "./import-runner.js";

/**
 * The built import process (`dist/import-process.js`, as the server runs it): from the
 * sources, runImport would import in-process, so these tests hand it the built module.
 */
const processModule = new URL("../../../dist/import-process.js", import.meta.url);

describe("imports in the built import process", () => {
  const child = (options: Omit<ImportProcess, "module"> = {}): ImportProcess => {
    if (!existsSync(processModule)) throw new Error("dist/import-process.js is missing: run `npm run build` first");
    return { module: processModule, ...options };
  };
  const todo = { kind: "content" as const, content: readFileSync(new URL("../../../fixtures/scrape/todo-v1.yaml", import.meta.url), "utf8"), filename: "todo-v1.yaml" };
  const github = () => ({ kind: "content" as const, content: new Uint8Array(readFileSync(GITHUB_SPEC_PATH)), filename: "api.github.com.json" });
  const scratch = mkdtempSync(path.join(tmpdir(), "waygate-import-process-"));
  const runner = fileURLToPath(new URL(`../../../node_modules/.cache/waygate-tests/runner-${process.pid}.mjs`, import.meta.url));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(runner, { force: true });
  });

  it("imports a document there and relays its progress", async () => {
    const progress: ImportProgress[] = [];
    const outcome = await runImport({ source: todo, options: { slug: "todo" } }, { onProgress: (p) => progress.push(p), signal: new AbortController().signal }, child());
    expect(outcome).toMatchObject({ kind: "imported", definition: { slug: "todo", actions: expect.arrayContaining([expect.objectContaining({ name: expect.any(String) })]) } });
    expect(progress.map((p) => p.stage)).toContain("parsing");
    expect(importProcessesOf(process.pid)).toEqual([]);
  });

  it("hands the document over intact, as bytes or as text: the same definition as in-process", async () => {
    const hooks = { onProgress: () => {}, signal: new AbortController().signal };
    const bytes = { ...todo, content: new TextEncoder().encode(todo.content) };
    const inProcess = await runImport({ source: todo, options: {} }, hooks, null);
    expect(inProcess.kind).toBe("imported");
    const hash = inProcess.kind === "imported" ? inProcess.contentHash : "";
    expect(await runImport({ source: todo, options: {} }, hooks, child())).toMatchObject({ kind: "imported", contentHash: hash });
    expect(await runImport({ source: bytes, options: {} }, hooks, child())).toMatchObject({ kind: "imported", contentHash: hash });
  });

  it("fails the import, not the process, when the document needs more memory than the process may use, and passes on its stderr", async () => {
    const diagnostics: string[] = [];
    const outcome = await runImport({ source: github(), options: { limits: { maxDocumentBytes: 64_000_000 } } }, { onProgress: () => {}, signal: new AbortController().signal }, child({ heapMb: 16, diagnostics: (line) => diagnostics.push(line) }));
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "document_limit", message: "importing the document needed more than 16 MB of memory" } });
    expect(diagnostics.find((line) => line.includes("JavaScript heap out of memory"))).toMatch(/^\[import process \d+\] /);
  });

  it("kills the import process when the job is cancelled, and leaves none behind", async () => {
    const controller = new AbortController();
    let pids: number[] = [];
    const running$ = runImport({ source: github(), options: { limits: { maxDocumentBytes: 64_000_000 } } }, {
      onProgress: () => {
        if (controller.signal.aborted) return;
        pids = importProcessesOf(process.pid);
        controller.abort(new Error("cancelled"));
      },
      signal: controller.signal,
    }, child());
    await expect(running$).rejects.toThrow("cancelled");
    expect(pids).toHaveLength(1);
    expect(isRunning(pids[0]!)).toBe(false);
    expect(importProcessesOf(process.pid)).toEqual([]);
  });

  it("gives the import process none of the server's environment", async () => {
    const secrets = { WAYGATE_ENCRYPTION_KEY: "c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=", WAYGATE_DATABASE_URL: "postgres://waygate:hunter2@db/waygate", WAYGATE_LLM_API_KEY: "sk-secret" };
    Object.assign(process.env, secrets);
    try {
      let environ: string | undefined;
      const outcome = await runImport({ source: todo, options: {} }, {
        onProgress: () => {
          const [pid] = importProcessesOf(process.pid);
          if (pid !== undefined) environ ??= readFileSync(`/proc/${pid}/environ`, "utf8");
        },
        signal: new AbortController().signal,
      }, child());
      expect(outcome.kind).toBe("imported");
      expect(environ).toBeDefined();
      const names = environ!.split("\0").filter(Boolean).map((entry) => entry.slice(0, entry.indexOf("=")));
      // Node's IPC channel, and where the server finds extra CA certificates (when it does).
      const trust = ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"].filter((name) => process.env[name] !== undefined);
      expect(names.sort()).toEqual(["NODE_CHANNEL_FD", "NODE_CHANNEL_SERIALIZATION_MODE", ...trust].sort());
      for (const value of Object.values(secrets)) expect(environ).not.toContain(value);
    } finally {
      for (const name of Object.keys(secrets)) delete process.env[name];
    }
  });

  it("reports a process that ends without an outcome, with the end of its stderr", async () => {
    const crashing = path.join(scratch, "crashing.mjs");
    writeFileSync(crashing, 'process.stderr.write("loading the importer failed: something broke\\n"); process.exit(3);\n');
    const diagnostics: string[] = [];
    const running$ = runImport({ source: todo, options: {} }, { onProgress: () => {}, signal: new AbortController().signal }, { module: pathToFileURL(crashing), diagnostics: (line) => diagnostics.push(line) });
    await expect(running$).rejects.toThrow(/^the import process exited with code 3 without an outcome; its stderr ended with:\nloading the importer failed: something broke$/);
    expect(diagnostics).toEqual([expect.stringMatching(/^\[import process \d+\] loading the importer failed: something broke$/)]);
  });

  it("ends the import process when the server that started it dies", async () => {
    // A stand-in server: runImport (bundled from these sources) importing the GitHub spec in the
    // built process. The bundle sits in node_modules/.cache so that its bare imports resolve.
    await build({ entryPoints: [fileURLToPath(new URL("./import-runner.ts", import.meta.url))], bundle: true, format: "esm", platform: "node", packages: "external", outfile: runner, logLevel: "warning" });
    const server = path.join(scratch, "server.mjs");
    writeFileSync(
      server,
      [
        `import { readFileSync } from "node:fs";`,
        `import { runImport } from ${JSON.stringify(pathToFileURL(runner).href)};`,
        `const content = new Uint8Array(readFileSync(${JSON.stringify(GITHUB_SPEC_PATH)}));`,
        `let told = false;`,
        `await runImport({ source: { kind: "content", content }, options: { limits: { maxDocumentBytes: 64000000 } } },`,
        `  { onProgress: () => { if (!told) { told = true; process.stdout.write("importing\\n"); } }, signal: new AbortController().signal },`,
        `  { module: new URL(${JSON.stringify(processModule.href)}) });`,
      ].join("\n"),
    );
    const parent = spawn(process.execPath, [server], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise((resolve) => parent.once("close", resolve));
    await new Promise<void>((resolve, reject) => {
      parent.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("importing") && resolve());
      parent.once("close", (code) => reject(new Error(`the stand-in server exited (${code}) before its import started`)));
    });
    const [pid] = importProcessesOf(parent.pid!);
    expect(pid).toBeDefined();
    parent.kill("SIGKILL");
    await exited;
    // Its watchdog looks every 250 ms; the import itself would run on for seconds on a busy machine.
    const began = Date.now();
    while (isRunning(pid!) && Date.now() - began < 2_000) await sleep(25);
    expect(isRunning(pid!)).toBe(false);
  });
});
