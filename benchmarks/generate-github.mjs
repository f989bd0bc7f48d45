#!/usr/bin/env node
// Benchmark: generate a client for the whole GitHub REST API (@octokit/openapi, 1 200+
// operations) with Waygate's generator and with two others, on the same machine in one run:
//
//   waygate             generateClient on the manifest: what `waygate generate` does once the
//                       manifest has arrived (the server imported the spec at `waygate scrape`)
//   waygate + import    importDocument on the raw spec, then generateClient: spec to client in one go
//   openapi-typescript  openapiTS on the raw spec: the types only, as one .d.ts text
//   hey-api             @hey-api/openapi-ts createClient on the raw spec: types, SDK functions and
//                       its fetch client, written to a directory (its default plugins)
//
// Every run is a fresh child process, so its time includes loading the generator (what a one-shot
// CLI run pays) and its peak RSS is its own. Runs are interleaved (a b c d a b c d …) so machine
// load falls on every subject alike; the table shows medians. Each subject reads its input from a
// file and writes its output to a directory. src/codegen and src/importer are bundled with esbuild
// first (what tsup builds into dist/), so no build step is needed.
//
//   node benchmarks/generate-github.mjs             # RUNS=5 per subject
//   RUNS=9 node benchmarks/generate-github.mjs
//   node benchmarks/generate-github.mjs --no-write  # print only, leave RESULTS.md alone
//   node benchmarks/generate-github.mjs --keep      # leave the bundle and manifest in node_modules/.cache/waygate-bench-generate
//                                                   # for paired runs of single subjects: node benchmarks/generate-github.mjs --child <subject> <out dir>
//
// Target: the full Waygate client is generated in at most 0.6× the time openapi-typescript takes for types alone.
// Rewrites the "Generate: GitHub client" section of benchmarks/RESULTS.md.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleGenerator } from "./support/generator.mjs";

const require = createRequire(import.meta.url);
const specPath = require.resolve("@octokit/openapi/generated/api.github.com.json");
// Inside node_modules/.cache so the bundle's bare imports resolve from this repo's node_modules.
const scratch = fileURLToPath(new URL("../node_modules/.cache/waygate-bench-generate/", import.meta.url));
const bundle = join(scratch, "waygate.mjs");
const manifestPath = join(scratch, "manifest.json");

const SUBJECTS = {
  waygate: { label: "Waygate `generateClient`", from: "manifest", output: "index.ts, runtime.js + runtime.d.ts (built with the package), github.ts (entry point, group names), a module per group (its action table, .js with a .d.ts) and their loader, github.types.d.ts (types, JSDoc with examples)" },
  "waygate-import": { label: "Waygate `importDocument` + `generateClient`", from: "spec", output: "the same" },
  "openapi-typescript": { label: `openapi-typescript ${version("openapi-typescript")}`, from: "spec", output: "types only (one .d.ts)" },
  "hey-api": { label: `@hey-api/openapi-ts ${version("@hey-api/openapi-ts")}`, from: "spec", output: "types + SDK functions + fetch client (default plugins)" },
};

function version(name) {
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
}

if (process.argv[2] === "--child") {
  await child(process.argv[3], process.argv[4]);
  process.exit(0);
}

/** One run of one subject in this (fresh) process; prints its measures as JSON. */
async function child(subject, out) {
  const loadStarted = performance.now();
  const tool = subject.startsWith("waygate") ? await import(pathToFileURL(bundle).href) : subject === "hey-api" ? await import("@hey-api/openapi-ts") : await import("openapi-typescript");
  const loadMs = performance.now() - loadStarted;
  const started = performance.now();
  if (subject === "waygate") {
    writeTree(out, tool.generateClient(JSON.parse(readFileSync(manifestPath, "utf8")), { generatorVersion: "bench" }));
  } else if (subject === "waygate-import") {
    writeTree(out, tool.generateClient(await tool.githubManifest(), { generatorVersion: "bench" }));
  } else if (subject === "openapi-typescript") {
    const ast = await tool.default(JSON.parse(readFileSync(specPath, "utf8")), { silent: true });
    writeTree(out, new Map([["github.d.ts", tool.astToString(ast)]]));
  } else if (subject === "hey-api") {
    await tool.createClient({ input: specPath, output: { path: out }, logs: { level: "silent", file: false }, interactive: false });
  } else {
    throw new Error(`unknown subject ${subject}`);
  }
  const runMs = performance.now() - started;
  const { files, bytes } = measureTree(out);
  console.log(JSON.stringify({ loadMs, runMs, totalMs: loadMs + runMs, maxRssMb: process.resourceUsage().maxRSS / 1024, files, bytes }));
}

function writeTree(dir, files) {
  for (const [path, text] of files) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function measureTree(dir) {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

// ---- parent ----
const runs = Math.max(1, Number(process.env.RUNS ?? 5));
const loadAtStart = loadavg()[0];
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
await bundleGenerator(bundle);
const { githubManifest } = await import(pathToFileURL(bundle).href);
const manifest = await githubManifest();
writeFileSync(manifestPath, JSON.stringify(manifest));
const actions = manifest.integrations[0].actions.length;

const measured = Object.fromEntries(Object.keys(SUBJECTS).map((subject) => [subject, []]));
for (let run = 1; run <= runs; run++) {
  for (const subject of Object.keys(SUBJECTS)) {
    const out = join(scratch, `${subject}-${run}`);
    mkdirSync(out, { recursive: true });
    const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", subject, out], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) {
      console.error(`${subject} failed:\n${result.stderr || result.stdout}`);
      process.exit(1);
    }
    const sample = JSON.parse(result.stdout.trim().split("\n").pop());
    measured[subject].push(sample);
    rmSync(out, { recursive: true, force: true });
    console.log(`run ${run}/${runs} ${subject.padEnd(18)} ${fmt(sample.totalMs)} (load ${fmt(sample.loadMs)}), peak RSS ${sample.maxRssMb.toFixed(0)} MB`);
  }
}
if (!process.argv.includes("--keep")) rmSync(scratch, { recursive: true, force: true });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const stats = Object.fromEntries(
  Object.entries(measured).map(([subject, samples]) => [
    subject,
    {
      total: median(samples.map((s) => s.totalMs)),
      load: median(samples.map((s) => s.loadMs)),
      min: Math.min(...samples.map((s) => s.totalMs)),
      max: Math.max(...samples.map((s) => s.totalMs)),
      rss: median(samples.map((s) => s.maxRssMb)),
      files: samples[0].files,
      bytes: samples[0].bytes,
    },
  ]),
);
function fmt(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}
const baseline = stats["openapi-typescript"];
const rows = Object.entries(SUBJECTS).map(([subject, meta]) => {
  const s = stats[subject];
  return `| ${meta.label} | ${meta.from} | ${meta.output} | ${fmt(s.total)} | ${fmt(s.load)} | ${fmt(s.min)} – ${fmt(s.max)} | ${(s.total / baseline.total).toFixed(2)}× | ${s.rss.toFixed(0)} MB | ${s.files} / ${(s.bytes / 1e6).toFixed(1)} MB |`;
});
const waygate = stats.waygate;
const TARGET = 0.6;
const met = waygate.total / baseline.total <= TARGET;
const section = [
  "<!-- generate-github:begin -->",
  "## Generate: GitHub client",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`node benchmarks/generate-github.mjs\` (RUNS=${runs} per subject, interleaved, each a fresh process); Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), 1-minute load average ${loadAtStart.toFixed(1)} at start.`,
  `Input: the GitHub REST API from @octokit/openapi (${actions} operations). Times are medians from process start to output written, including loading the generator and reading the input file; peak RSS is the child process's.`,
  "",
  "| generator | input | output | time (median) | of which loading | min – max | vs openapi-typescript | peak RSS (median) | files / size |",
  "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows,
  "",
  `Target: the full Waygate client in at most ${TARGET}× openapi-typescript's time for types alone — ${met ? "met" : "missed"} (${fmt(waygate.total)} vs ${fmt(baseline.total)}, ${(waygate.total / baseline.total).toFixed(2)}×).`,
  "`waygate generate` runs the first row: the spec was imported into a manifest when it was scraped (benchmarks/import-github.mjs",
  "times that step on its own), so the second row, spec to client in one go, is the fair comparison for a one-off conversion.",
  "Waygate's output is more than types: it hoists and dedupes the `$defs` each action embeds, writes JSDoc with an `@example` per",
  "action, and assembles the nested client and its factory; the type-check cost of using it is in \"Type-check: a consumer of three GitHub actions\".",
  "<!-- generate-github:end -->",
].join("\n");

console.log(`\n${section}\n`);
if (!process.argv.includes("--no-write")) writeSection("generate-github", section);

function writeSection(name, text) {
  const resultsPath = new URL("RESULTS.md", import.meta.url);
  let results;
  try {
    results = readFileSync(resultsPath, "utf8");
  } catch {
    results = "# Benchmark results\n\nEach section is rewritten by its script; run them on an idle machine.\n";
  }
  const pattern = new RegExp(`<!-- ${name}:begin -->[\\s\\S]*?<!-- ${name}:end -->`);
  results = pattern.test(results) ? results.replace(pattern, () => text) : `${results.trimEnd()}\n\n${text}\n`;
  writeFileSync(resultsPath, results);
}
