#!/usr/bin/env node
// Benchmark: import the GitHub REST API description (@octokit/openapi, ~13 MB JSON,
// 1 200+ operations) with the Waygate importer. Each run is a fresh child process, so peak
// RSS is that of one import (parse + normalise + validate + hash), not of the runs before.
//
//   npm run build && node benchmarks/import-github.mjs            # dist/importer/index.js
//   WAYGATE_IMPORTER_MODULE=/path/to/bundle.mjs node benchmarks/import-github.mjs
//   RUNS=7 node benchmarks/import-github.mjs
//   node benchmarks/import-github.mjs --write   # also rewrites its section of benchmarks/RESULTS.md
//
// Targets: median wall time < 3 s, peak RSS < 500 MB. Exits 1 when a target is missed.
import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const TARGET_MS = 3000;
const TARGET_RSS_MB = 500;

const modulePath = process.env.WAYGATE_IMPORTER_MODULE ?? new URL("../dist/importer/index.js", import.meta.url).pathname;
const specPath = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");

if (process.argv[2] === "--child") {
  const { importDocument } = await import(pathToFileURL(modulePath).href);
  const content = await readFile(specPath);
  const started = performance.now();
  const outcome = await importDocument({ kind: "content", content, filename: "api.github.com.json" });
  const ms = performance.now() - started;
  if (outcome.kind !== "imported") {
    console.error(JSON.stringify(outcome.error));
    process.exit(1);
  }
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ ms, maxRssMb, actions: outcome.definition.actions.length, hash: outcome.contentHash }));
  process.exit(0);
}

const runs = Number(process.env.RUNS ?? 5);
const loadAtStart = loadavg()[0];
const results = [];
for (let i = 0; i < runs; i++) {
  const child = spawnSync(process.execPath, [new URL(import.meta.url).pathname, "--child"], { encoding: "utf8", env: process.env });
  if (child.status !== 0) {
    console.error(child.stderr || child.stdout);
    process.exit(1);
  }
  results.push(JSON.parse(child.stdout.trim().split("\n").pop()));
}
const times = results.map((r) => r.ms).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const peak = Math.max(...results.map((r) => r.maxRssMb));
const hashes = new Set(results.map((r) => r.hash));
console.log(`module: ${modulePath}`);
console.log(`spec: ${specPath}`);
console.log(`runs: ${runs}, actions: ${results[0].actions}, distinct hashes: ${hashes.size}`);
console.log(`import wall time ms: median ${median.toFixed(0)}, min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)} (target < ${TARGET_MS})`);
console.log(`peak RSS MB: ${peak.toFixed(0)} (target < ${TARGET_RSS_MB})`);
console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
const met = (ok) => (ok ? "met" : "missed");
if (process.argv.includes("--write")) {
  const resultsPath = new URL("RESULTS.md", import.meta.url);
  const section = `<!-- import-github:begin -->
## Import: GitHub REST spec

Measured ${new Date().toISOString().slice(0, 10)} with ${
    modulePath.includes("/dist/")
      ? "`npm run build && RUNS=" + runs + " node benchmarks/import-github.mjs --write`"
      : "`RUNS=" + runs + " WAYGATE_IMPORTER_MODULE=<bundle> node benchmarks/import-github.mjs --write`, the bundle made by `npx esbuild src/importer/index.ts --bundle --platform=node --format=esm --packages=external --outfile=node_modules/.cache/importer-bench.mjs` (equivalent to the tsup build)"
  }. Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), 1-minute load average ${loadAtStart.toFixed(1)} at the start (other work was running).
Each run is a fresh process importing \`@octokit/openapi/generated/api.github.com.json\` (${results[0].actions} operations) from bytes in memory:
JSON parse, normalise, contract validation (zod) and content hash.

| measure | value | target |
| --- | ---: | --- |
| import wall time, median of ${runs} | ${median.toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}) | < ${TARGET_MS} ms (${met(median < TARGET_MS)}) |
| peak RSS of the process | ${peak.toFixed(0)} MB | < ${TARGET_RSS_MB} MB (${met(peak < TARGET_RSS_MB)}) |
| distinct content hashes across runs | ${hashes.size} | 1 |

Wall time excludes module loading and reading the file; RSS includes them.
<!-- import-github:end -->`;
  let text = await readFile(resultsPath, "utf8").catch(() => "# Benchmark results\n");
  const pattern = /<!-- import-github:begin -->[\s\S]*?<!-- import-github:end -->/;
  text = pattern.test(text) ? text.replace(pattern, section) : text.replace(/\n*$/, "\n\n") + section + "\n";
  await writeFile(resultsPath, text);
  console.log(`wrote ${resultsPath.pathname}`);
}
if (median >= TARGET_MS || peak >= TARGET_RSS_MB || hashes.size !== 1) {
  console.error("FAIL: target missed (or non-deterministic hash)");
  process.exit(1);
}
