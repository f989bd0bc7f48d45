#!/usr/bin/env node
// Start-up cost of the CLI against bare Node, measured in one run, interleaved so that
// machine noise hits every subject alike. Medians and ratios are recorded in RESULTS.md.
//   npm run build && node benchmarks/startup.mjs [--runs 40]
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import os from "node:os";

const root = fileURLToPath(new URL("..", import.meta.url));
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 40;
const bin = `${root}bin/waygate.js`;
if (!existsSync(`${root}dist/cli/main.js`)) throw new Error("build first: npm run build");

const subjects = [
  { name: "node -e 0", args: ["-e", "0"] },
  { name: "waygate --version", args: [bin, "--version"] },
  { name: "waygate --help", args: [bin, "--help"] },
];

const samples = new Map(subjects.map((s) => [s.name, []]));
for (let i = 0; i < runs + 3; i++) {
  for (const subject of subjects) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, subject.args, { stdio: "ignore" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${subject.name} exited ${result.status}`);
    if (i >= 3) samples.get(subject.name).push(ms); // first rounds warm the page cache
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const base = median(samples.get("node -e 0"));
const targets = { "waygate --version": 1.5, "waygate --help": 2 };
const rows = subjects.map((s) => {
  const m = median(samples.get(s.name));
  const ratio = m / base;
  const target = targets[s.name];
  return { name: s.name, median: m, ratio, target, ok: target === undefined || ratio <= target };
});

for (const row of rows) {
  console.log(`${row.name.padEnd(20)} median ${row.median.toFixed(1).padStart(6)} ms  ${row.ratio.toFixed(2)}x${row.target ? `  (target ≤ ${row.target}x: ${row.ok ? "met" : "MISSED"})` : ""}`);
}

const section = [
  "<!-- startup:begin -->",
  "## CLI start-up",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`node benchmarks/startup.mjs --runs ${runs}\` (after \`npm run build\`): ${runs} interleaved runs per subject, medians; Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}).`,
  "",
  "| command | median | vs `node -e 0` | target |",
  "| --- | ---: | ---: | --- |",
  ...rows.map((r) => `| \`${r.name}\` | ${r.median.toFixed(1)} ms | ${r.ratio.toFixed(2)}× | ${r.target ? `≤ ${r.target}× (${r.ok ? "met" : "missed"})` : "baseline"} |`),
  "",
  "`--version` is answered in `dist/cli/main.js` before commander is imported; `--help` loads commander and the",
  "command tree only (verb modules, undici, the store and the server are imported when a command runs).",
  "For comparison, the Nango CLI was reported at over 20× bare Node for `--help` (issue #2); it is not installed here.",
  "<!-- startup:end -->",
].join("\n");

const resultsFile = `${root}benchmarks/RESULTS.md`;
let results = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "# Benchmark results\n\nEach section is rewritten by its script; run them on an idle machine.\n";
results = /<!-- startup:begin -->[\s\S]*<!-- startup:end -->/.test(results)
  ? results.replace(/<!-- startup:begin -->[\s\S]*<!-- startup:end -->/, section)
  : results.trimEnd() + "\n\n" + section + "\n";
writeFileSync(resultsFile, results);
if (rows.some((r) => !r.ok)) process.exitCode = 1;
