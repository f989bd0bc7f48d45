#!/usr/bin/env node
// No-op job throughput: the embedded queue (SQLite, the default) against BullMQ on Redis,
// through the same JobBackend seam the server uses (src/jobs/queue.ts, bullmq-queue.ts).
// Enqueues JOBS jobs whose handler does nothing, then starts one worker (concurrency 8) and
// times until every job's row says succeeded. Median of RUNS runs per backend, interleaved.
//   node benchmarks/jobs.mjs [--jobs 2000] [--runs 3] [--redis redis://127.0.0.1:6379] [--no-write]
// The sources are bundled with esbuild first (packages external), as generate-github.mjs does.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { setTimeout } from "node:timers";
import { build } from "esbuild";
import { Redis } from "ioredis";

const root = fileURLToPath(new URL("..", import.meta.url));
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const JOBS = Number(arg("jobs", 2000));
const RUNS = Number(arg("runs", 3));
const REDIS_URL = arg("redis", "redis://127.0.0.1:6379");
const CONCURRENCY = 8;
const write = !process.argv.includes("--no-write");

const bundle = path.join(root, "node_modules/.cache/jobs-bench.mjs");
mkdirSync(path.dirname(bundle), { recursive: true });
await build({
  stdin: {
    contents: [
      'export { EmbeddedJobBackend } from "./src/jobs/queue.ts";',
      'export { BullJobBackend } from "./src/jobs/bullmq-queue.ts";',
      'export { Store } from "./src/store/index.ts";',
      'export { Sealer } from "./src/lib/sealer.ts";',
    ].join("\n"),
    resolveDir: root,
    loader: "ts",
  },
  bundle: true,
  platform: "node",
  format: "esm",
  packages: "external",
  outfile: bundle,
  logLevel: "error",
});
const { EmbeddedJobBackend, BullJobBackend, Store, Sealer } = await import(pathToFileURL(bundle).href);

async function runOnce(kind) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "waygate-bench-jobs-"));
  const key = randomBytes(32);
  const store = await Store.open({ kind: "sqlite", file: path.join(dir, "waygate.db") }, { sealer: async () => new Sealer(key) });
  const prefix = `wg-bench-${randomBytes(6).toString("hex")}`;
  const backend = kind === "embedded" ? new EmbeddedJobBackend(store) : new BullJobBackend({ store, url: REDIS_URL, prefix });
  try {
    const tenantId = (await store.tenants.create("Bench")).id;
    const enqueueStarted = performance.now();
    for (let i = 0; i < JOBS; i++) await backend.queue.enqueue({ tenantId, type: "import", summary: "no-op", payload: { i } });
    const enqueueMs = performance.now() - enqueueStarted;
    let done = 0;
    let finished;
    const allDone = new Promise((resolve) => (finished = resolve));
    const noop = async () => {
      // Counted when the handler returns; the row is written right after, so wait for the rows too (below).
      if (++done === JOBS) finished();
      return { kind: "succeeded", result: null };
    };
    const worker = backend.createWorker({ handlers: { import: noop, batch: noop }, concurrency: CONCURRENCY, tenantConcurrency: CONCURRENCY, pollMs: 50 });
    const started = performance.now();
    worker.start();
    await allDone;
    for (;;) {
      const page = await store.jobs.list(tenantId, { limit: 1, status: "running" });
      const queued = await store.jobs.list(tenantId, { limit: 1, status: "queued" });
      if (page.data.length === 0 && queued.data.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const runMs = performance.now() - started;
    await worker.stop();
    return { enqueuePerSecond: JOBS / (enqueueMs / 1000), runPerSecond: JOBS / (runMs / 1000) };
  } finally {
    await backend.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    if (kind === "bullmq") {
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = { embedded: [], bullmq: [] };
for (let run = 0; run < RUNS; run++) for (const kind of ["embedded", "bullmq"]) results[kind].push(await runOnce(kind));
const row = (kind) => {
  const enqueue = median(results[kind].map((r) => r.enqueuePerSecond));
  const run = median(results[kind].map((r) => r.runPerSecond));
  return { enqueue, run };
};
const embedded = row("embedded");
const bullmq = row("bullmq");
const lines = [
  "| backend | enqueue (jobs/s) | run no-op jobs (jobs/s) |",
  "| --- | ---: | ---: |",
  `| embedded (SQLite) | ${embedded.enqueue.toFixed(0)} | ${embedded.run.toFixed(0)} |`,
  `| BullMQ (Redis) | ${bullmq.enqueue.toFixed(0)} | ${bullmq.run.toFixed(0)} |`,
  `| BullMQ / embedded | ${(bullmq.enqueue / embedded.enqueue).toFixed(2)}× | ${(bullmq.run / embedded.run).toFixed(2)}× |`,
];
console.log(lines.join("\n"));
if (write) {
  const file = path.join(root, "benchmarks/RESULTS.md");
  const section = [
    "<!-- jobs:begin -->",
    "## Job queue: no-op job throughput, embedded vs BullMQ",
    "",
    `\`node benchmarks/jobs.mjs --jobs ${JOBS} --runs ${RUNS}\`: ${JOBS} no-op jobs enqueued one after another through the JobQueue seam, then run by one worker (concurrency ${CONCURRENCY}) until every job's row in the Waygate database (SQLite) says succeeded. Medians of ${RUNS} interleaved runs; measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores, 1-minute load average ${os.loadavg()[0].toFixed(1)} at the end (shared machine). Both backends write the same job rows (the record is in the database on both); BullMQ adds a Redis round trip to each enqueue, and runs the jobs without the embedded worker's claim queries on the database; what it is for is several processes sharing the work.`,
    "",
    ...lines,
    "<!-- jobs:end -->",
  ].join("\n");
  const text = readFileSync(file, "utf8");
  const pattern = /<!-- jobs:begin -->[\s\S]*<!-- jobs:end -->/;
  writeFileSync(file, pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`);
}
