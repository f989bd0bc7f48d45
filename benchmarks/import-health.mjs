#!/usr/bin/env node
// Benchmark: how long `GET /v1/health` takes on the built server while it imports the GitHub REST
// API description (@octokit/openapi, ~13 MB JSON, 1 200+ operations). The import runs off the
// server's event loop; this measures how much of it still reaches the requests the server answers.
//
//   npm run build && node benchmarks/import-health.mjs             # 3 rounds
//   ROUNDS=5 INTERVAL_MS=10 node benchmarks/import-health.mjs
//   node benchmarks/import-health.mjs --vs /path/to/other/bin/waygate.js   # rounds alternate A B A B …
//
// Each round starts `waygate server start` on a fresh SQLite data dir, uploads the spec, then asks
// for /v1/health every INTERVAL_MS (one request at a time) from the upload's 202 until the job has
// finished: the whole job, saving the version included (that part runs on the server's thread;
// test/e2e/import-isolation.test.ts measures the import process's lifetime alone).
// Prints one JSON line per round and a summary per subject; exits 1 when an import does not succeed.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { fetch } from "undici";

const BIN = fileURLToPath(new URL("../bin/waygate.js", import.meta.url));
const vs = process.argv.indexOf("--vs") > 0 ? process.argv[process.argv.indexOf("--vs") + 1] : undefined;
const specPath = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
const rounds = Number(process.env.ROUNDS ?? 3);
const intervalMs = Number(process.env.INTERVAL_MS ?? 10);

/** An environment that touches nothing of the developer's (as test/support/cli.ts isolatedEnv does). */
function isolatedEnv() {
  const home = mkdtempSync(path.join(tmpdir(), "waygate-bench-home-"));
  const env = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("WAYGATE_")) env[name] = value;
  return { ...env, HOME: home, WAYGATE_CONFIG_DIR: path.join(home, "config"), WAYGATE_DATA_DIR: path.join(home, "data"), NO_COLOR: "1" };
}

function startServer(bin, env) {
  const init = spawnSync(process.execPath, [bin, "server", "init", "--json", "--tenant", "Acme"], { env, encoding: "utf8" });
  if (init.status !== 0) throw new Error(`server init failed: ${init.stderr}`);
  const { apiKey } = JSON.parse(init.stdout);
  const child = spawn(process.execPath, [bin, "server", "start", "--port", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const url = /^(http:\/\/\S+)\n/m.exec(stdout)?.[1];
      if (url) resolve({ url, apiKey, child, stderr: () => stderr });
    });
    child.on("close", (code) => reject(new Error(`server exited with ${code}\n${stderr}`)));
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function round(bin, spec) {
  const env = isolatedEnv();
  const server = await startServer(bin, env);
  const auth = { authorization: `Bearer ${server.apiKey}` };
  try {
    // Warm the route before timing it.
    for (let i = 0; i < 20; i++) await (await fetch(`${server.url}/v1/health`)).arrayBuffer();
    const upload = await fetch(`${server.url}/v1/imports/upload?slug=github&filename=api.github.com.json`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: spec });
    if (upload.status !== 202) throw new Error(`upload answered ${upload.status}: ${await upload.text()}`);
    const job = await upload.json();
    const started = performance.now();
    let finished;
    const watch = (async () => {
      for (;;) {
        const state = await (await fetch(`${server.url}/v1/jobs/${job.id}`, { headers: auth })).json();
        if (state.status !== "queued" && state.status !== "running") return (finished = state);
        await sleep(50);
      }
    })();
    const latencies = [];
    while (!finished) {
      const sent = performance.now();
      const response = await fetch(`${server.url}/v1/health`);
      await response.arrayBuffer();
      latencies.push(performance.now() - sent);
      await sleep(intervalMs);
    }
    const state = await watch;
    if (state.status !== "succeeded") throw new Error(`the import ended ${state.status}: ${JSON.stringify(state.error)}\n${server.stderr()}`);
    latencies.sort((a, b) => a - b);
    return {
      bin,
      jobMs: Math.round(performance.now() - started),
      samples: latencies.length,
      p50: +percentile(latencies, 50).toFixed(1),
      p99: +percentile(latencies, 99).toFixed(1),
      max: +latencies[latencies.length - 1].toFixed(1),
    };
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((resolve) => (server.child.exitCode === null ? server.child.once("close", resolve) : resolve()));
    rmSync(env.HOME, { recursive: true, force: true });
  }
}

const spec = readFileSync(specPath);
const load = loadavg()[0];
const subjects = vs ? [BIN, vs] : [BIN];
const results = new Map(subjects.map((bin) => [bin, []]));
for (let i = 0; i < rounds; i++) {
  for (const bin of subjects) {
    const result = await round(bin, spec);
    results.get(bin).push(result);
    console.log(JSON.stringify(result));
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [bin, rows] of results) {
  const figure = (name) => median(rows.map((r) => r[name]));
  console.log(`${bin}: ${rounds} rounds, medians: p50 ${figure("p50")} ms, p99 ${figure("p99")} ms, max ${figure("max")} ms over the job; job ${figure("jobMs")} ms.`);
}
console.log(`node ${process.version}, ${cpus().length} cores, 1-minute load ${load.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at the end`);
