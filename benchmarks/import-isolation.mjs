#!/usr/bin/env node
// Benchmark: what running each import in a child process costs, against the worker thread it
// replaced (src/jobs/handlers/import-runner.ts).
//
//   npm run build && node benchmarks/import-isolation.mjs          # RUNS=15 by default
//   RUNS=21 node benchmarks/import-isolation.mjs
//
// 1. Start-up: importing a tiny document (fixtures/scrape/todo-v1.yaml) in a fresh worker thread
//    (the importer loaded from dist/importer/index.js, as dist/import-thread.js did) and in a fresh
//    child process (runImport, bundled from the sources, forking dist/import-process.js), interleaved,
//    from the start call to the outcome. The tiny import itself (in-process, warm) is timed too.
// 2. Memory per import of the GitHub REST spec (13 MB), each measured in a fresh Node process:
//    the worker thread's import grows the server's own RSS; the child's is its peak RSS (VmHWM),
//    plus what the server's RSS grows by while handing over the document and taking the outcome.
// 3. Handing the 13 MB document to the child: how long the server's thread is held by
//    `child.send()` (V8 serialization over IPC) and by writing it to the child's stdin.
import { fork, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { clearInterval, setInterval } from "node:timers";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
const importerModule = pathToFileURL(`${root}dist/importer/index.js`).href;
const processModule = pathToFileURL(`${root}dist/import-process.js`);
const runnerBundle = `${root}node_modules/.cache/waygate-bench/import-runner.mjs`;
const githubPath = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
const todoPath = `${root}fixtures/scrape/todo-v1.yaml`;
const runs = Number(process.env.RUNS ?? 15);
const noop = { onProgress: () => {} };
const { AbortSignal } = globalThis;

/** The old runner: a worker thread with a heap limit, the importer loaded inside it. */
function importOnThread(source) {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    import(${JSON.stringify(importerModule)}).then(async ({ importDocument }) => {
      parentPort.postMessage(await importDocument(workerData.source, workerData.options));
    });`;
  const worker = new Worker(code, { eval: true, workerData: { source, options: { limits: { maxDocumentBytes: 64_000_000 } } }, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
  return new Promise((resolve, reject) => {
    worker.once("message", (outcome) => void worker.terminate().then(() => resolve(outcome)));
    worker.once("error", reject);
  });
}

async function importInChild(runImport, source) {
  return runImport({ source, options: { limits: { maxDocumentBytes: 64_000_000 } } }, { ...noop, signal: AbortSignal.any([]) }, { module: processModule, diagnostics: () => {} });
}

/** This process's children, from /proc. */
function children() {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

const vmHwmMb = (pid) => {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
  } catch {
    return undefined;
  }
};
const rssMb = () => process.memoryUsage.rss() / 1024 / 1024;

if (process.argv[2] === "--memory") {
  // One GitHub import in this fresh process, on a thread or in a child; prints MB figures.
  const how = process.argv[3];
  const content = new Uint8Array(readFileSync(githubPath));
  const { runImport } = await import(pathToFileURL(runnerBundle).href);
  const before = rssMb();
  let childPeak = 0;
  let outcome;
  if (how === "thread") outcome = await importOnThread({ kind: "content", content, filename: "api.github.com.json" });
  else {
    // The child's high-water mark, read while it lives (it exits right after its outcome).
    const watch = setInterval(() => {
      for (const pid of children()) childPeak = Math.max(childPeak, vmHwmMb(pid) ?? 0);
    }, 50);
    outcome = await importInChild(runImport, { kind: "content", content, filename: "api.github.com.json" });
    clearInterval(watch);
  }
  if (outcome.kind !== "imported") throw new Error(JSON.stringify(outcome.error));
  console.log(JSON.stringify({ serverGrowthMb: vmHwmMb(process.pid) - before, childPeakMb: childPeak }));
  process.exit(0);
}

await build({ entryPoints: [`${root}src/jobs/handlers/import-runner.ts`], bundle: true, format: "esm", platform: "node", target: "node22", packages: "external", outfile: runnerBundle, logLevel: "warning" });
const { runImport } = await import(pathToFileURL(runnerBundle).href);
const { importDocument } = await import(importerModule);
const load = loadavg()[0];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values) => `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;

// 1. Start-up.
const todo = { kind: "content", content: readFileSync(todoPath, "utf8"), filename: "todo-v1.yaml" };
const startup = { inProcess: [], thread: [], child: [] };
const timed = async (label, run) => {
  const began = performance.now();
  const outcome = await run();
  if (outcome.kind !== "imported") throw new Error(`${label}: ${JSON.stringify(outcome.error)}`);
  return performance.now() - began;
};
for (let i = 0; i < 2; i++) {
  await timed("warm-up", () => importOnThread(todo));
  await timed("warm-up", () => importInChild(runImport, todo));
}
for (let i = 0; i < runs; i++) {
  startup.inProcess.push(await timed("in-process", () => importDocument(todo)));
  startup.thread.push(await timed("thread", () => importOnThread(todo)));
  startup.child.push(await timed("child", () => importInChild(runImport, todo)));
}

console.error("start-up measured");

// 2. Memory, each in a fresh process, interleaved.
const memory = { thread: [], child: [] };
for (let i = 0; i < Math.min(runs, 5); i++) {
  for (const how of ["thread", "child"]) {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--memory", how], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(run.stderr);
    memory[how].push(JSON.parse(run.stdout.trim().split("\n").pop()));
  }
}

console.error("memory measured");

// 3. Handing the document over.
writeFileSync(`${root}node_modules/.cache/waygate-bench/sink.cjs`, "let n = 0; process.stdin.on('data', (c) => (n += c.length)); process.stdin.on('end', () => { if (n) { process.send(n); process.disconnect(); } }); process.on('message', () => { process.send(0); process.disconnect(); });");
const github = readFileSync(githubPath);
const handover = { ipc: [], stdin: [] };
for (let i = 0; i < 5; i++) {
  for (const how of ["ipc", "stdin"]) {
    const child = fork(`${root}node_modules/.cache/waygate-bench/sink.cjs`, [], { env: {}, serialization: "advanced", stdio: ["pipe", "ignore", "inherit", "ipc"] });
    await new Promise((resolve) => child.once("spawn", resolve));
    const began = performance.now();
    if (how === "ipc") child.send({ content: github });
    else child.stdin.end(github);
    handover[how].push(performance.now() - began);
    if (how === "ipc") child.stdin.end();
    await new Promise((resolve) => child.once("close", resolve));
  }
}

console.log(`Node ${process.version}, ${cpus().length} cores, 1-minute load ${load.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at the end; ${runs} interleaved runs.`);
console.log(`tiny import, from the call to the outcome, ms, median (min–max):`);
console.log(`  in-process (warm): ${spread(startup.inProcess)}`);
console.log(`  worker thread:     ${spread(startup.thread)}`);
console.log(`  child process:     ${spread(startup.child)}`);
console.log(`GitHub import, memory, MB, median of ${memory.thread.length} fresh processes:`);
console.log(`  worker thread: the server's RSS grows by ${median(memory.thread.map((m) => m.serverGrowthMb)).toFixed(0)}`);
console.log(`  child process: the child's peak RSS ${median(memory.child.map((m) => m.childPeakMb)).toFixed(0)}, the server's RSS grows by ${median(memory.child.map((m) => m.serverGrowthMb)).toFixed(0)}`);
console.log(`13 MB document handed to the child, the server's thread held for, ms, median (min–max): IPC send ${spread(handover.ipc)}, stdin write ${spread(handover.stdin)}`);
