#!/usr/bin/env node
// Benchmark: generate the TypeScript client for the whole GitHub REST API (@octokit/openapi,
// 1 200+ operations) with `generateClient`, and, in the same run, openapi-typescript on the
// raw spec for comparison. The GitHub manifest is built by the real importer first (not timed).
// src/codegen and src/importer are bundled on the fly with esbuild, so no build step is needed.
//
//   node benchmarks/generate-github.mjs              # 6 runs each: the first, and the median of the rest
//   RUNS=9 node benchmarks/generate-github.mjs
//   node benchmarks/generate-github.mjs --no-write   # print only, leave RESULTS.md alone
//
// Rewrites the "Generate: GitHub client" section of benchmarks/RESULTS.md.
import { build } from "esbuild";
import { Buffer } from "node:buffer";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const runs = Math.max(2, Number(process.env.RUNS ?? 6));
const loadAtStart = loadavg()[0];
const root = new URL("../", import.meta.url);
const specPath = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");

// Inside node_modules/.cache so the bundle's bare imports resolve from this repo's node_modules.
const scratch = new URL("../node_modules/.cache/waygate-bench/", import.meta.url).pathname;
mkdirSync(scratch, { recursive: true });
const bundle = join(scratch, "entry.mjs");
await build({
  stdin: {
    contents: 'export { generateClient } from "./src/codegen/index.ts";\nexport { importDocument } from "./src/importer/index.ts";\n',
    resolveDir: root.pathname,
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  packages: "external",
  outfile: bundle,
  logLevel: "warning",
});
const { generateClient, importDocument } = await import(pathToFileURL(bundle).href);
const { default: openapiTS, astToString } = await import("openapi-typescript");

const content = readFileSync(specPath);
const outcome = await importDocument({ kind: "content", content, filename: "api.github.com.json" }, { limits: { maxDocumentBytes: 64_000_000 } });
if (outcome.kind !== "imported") {
  console.error(JSON.stringify(outcome.error));
  process.exit(1);
}
const { definition, contentHash } = outcome;
const manifest = {
  hash: contentHash,
  apiUrl: "https://api.waygate.test",
  tenantId: "ten_bench",
  appId: null,
  integrations: [
    {
      slug: "github",
      name: definition.name,
      description: definition.description ?? null,
      version: 1,
      contentHash,
      baseUrl: definition.baseUrl,
      authSchemes: definition.authSchemes,
      authTypeUnverified: definition.authTypeUnverified,
      actions: definition.actions,
    },
  ],
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(label, fn) {
  const times = [];
  let output;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    output = await fn();
    times.push(performance.now() - started);
    process.stdout.write(`${label} run ${i + 1}/${runs}: ${times[i].toFixed(0)} ms\n`);
  }
  // Run 1 also loads ts-morph's and openapi-typescript's TypeScript and warms the JIT: reported apart.
  const warm = times.slice(1);
  return { first: times[0], median: median(warm), min: Math.min(...warm), max: Math.max(...warm), output };
}

const waygate = await measure("waygate generateClient", () => generateClient(manifest, { generatorVersion: "bench" }));
const waygateBytes = [...waygate.output.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
// A fresh parse per run: openapi-typescript's bundler mutates the document it is given.
const oats = await measure("openapi-typescript", async () => astToString(await openapiTS(JSON.parse(content.toString("utf8")), { silent: true })));
const oatsBytes = Buffer.byteLength(oats.output);
rmSync(scratch, { recursive: true, force: true });

const actions = definition.actions.length;
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rows = [
  `| \`generateClient\` (manifest → index.ts, runtime.ts, github.ts) | ${fmt(waygate.first)} | ${fmt(waygate.median)} | ${fmt(waygate.min)} – ${fmt(waygate.max)} | ${(waygateBytes / 1e6).toFixed(1)} MB |`,
  `| openapi-typescript 7.13 on the raw spec (→ one .d.ts text) | ${fmt(oats.first)} | ${fmt(oats.median)} | ${fmt(oats.min)} – ${fmt(oats.max)} | ${(oatsBytes / 1e6).toFixed(1)} MB |`,
];
const section = [
  "<!-- generate-github:begin -->",
  "## Generate: GitHub client",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`node benchmarks/generate-github.mjs\` (RUNS=${runs}, in one process); Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), 1-minute load average ${loadAtStart.toFixed(1)} at start.`,
  "\"First run\" is what a one-shot `waygate generate` pays (it includes loading TypeScript); \"warm\" is the median of the other runs.",
  `Input: the GitHub REST API from @octokit/openapi, imported by src/importer into ${actions} actions (import not timed).`,
  "",
  "| generator | first run | warm median | warm min – max | output |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...rows,
  "",
  "`generateClient` does more than openapi-typescript's type pass: it hoists and dedupes the `$defs` each action",
  "embeds, renders every schema through openapi-typescript's `transformSchemaObject`, writes JSDoc with an",
  "`@example` per action, and assembles the client object and factory with ts-morph. Type-checking the",
  "generated client (tsc 5.9, strict) is covered by test/codegen/github.test.ts.",
  "<!-- generate-github:end -->",
].join("\n");

console.log(`\n${section}\n`);
if (!process.argv.includes("--no-write")) {
  const resultsPath = new URL("RESULTS.md", import.meta.url);
  let results;
  try {
    results = readFileSync(resultsPath, "utf8");
  } catch {
    results = "# Benchmark results\n\nEach section is rewritten by its script; run them on an idle machine.\n";
  }
  const pattern = /<!-- generate-github:begin -->[\s\S]*?<!-- generate-github:end -->/;
  results = pattern.test(results) ? results.replace(pattern, section) : `${results.trimEnd()}\n\n${section}\n`;
  writeFileSync(resultsPath, results);
}
