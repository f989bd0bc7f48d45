// Heuristics-only scraping of whole docs sites: recall and precision per docs layout.
//
//   npm run build && node benchmarks/crawl.mjs            # prints the table
//   npm run build && node benchmarks/crawl.mjs --write    # also rewrites its section of benchmarks/RESULTS.md
//
// Each real spec is imported (that definition is the truth), rendered as a docs site in three
// layouts (benchmarks/support/docs-site.mjs), served on a loopback port, and scraped from its
// start page with the crawler and the heuristics (no LLM). Targets (issue 19): ≥ 95 % of
// endpoints and methods, ≥ 90 % of parameters, auth right, in every layout.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { renderDocsSite, score, STYLES } from "./support/docs-site.mjs";

const modulePath = process.env.WAYGATE_IMPORTER_MODULE ?? fileURLToPath(new URL("../dist/importer/index.js", import.meta.url));
const { importDocument } = await import(pathToFileURL(modulePath).href);

/** Every sixth operation of GitHub's REST API (about 200, all tags): real names, paths and parameters at a docs site's scale. */
const GITHUB_SAMPLE_EVERY = 6;
const SPECS = [
  { name: "Petstore (fixtures/importer/petstore-3.0.yaml)", file: new URL("../fixtures/importer/petstore-3.0.yaml", import.meta.url) },
  { name: "Todo (fixtures/scrape/todo-v1.yaml)", file: new URL("../fixtures/scrape/todo-v1.yaml", import.meta.url) },
  { name: `GitHub REST, every ${GITHUB_SAMPLE_EVERY}th operation (@octokit/openapi)`, file: new URL("../node_modules/@octokit/openapi/generated/api.github.com.json", import.meta.url), sample: GITHUB_SAMPLE_EVERY },
];

async function definitionOf(spec) {
  const outcome = await importDocument({ kind: "content", content: readFileSync(spec.file), filename: fileURLToPath(spec.file) });
  if (outcome.kind !== "imported") throw new Error(`${spec.name}: ${outcome.error.message}`);
  const definition = outcome.definition;
  return spec.sample ? { ...definition, actions: definition.actions.filter((_action, index) => index % spec.sample === 0) } : definition;
}

async function serve(pages) {
  const server = createServer((request, response) => {
    const body = pages[(request.url ?? "/").split("?")[0]];
    if (body === undefined) response.writeHead(404).end();
    else response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const loadAtStart = loadavg()[0];
const rows = [];
for (const spec of SPECS) {
  const definition = await definitionOf(spec);
  for (const style of STYLES) {
    const site = renderDocsSite(definition, style);
    const server = await serve(site.pages);
    const started = performance.now();
    // delayMs 0: the benchmark measures extraction, not our politeness to a loopback server.
    const outcome = await importDocument({ kind: "url", url: server.url + site.start }, { allowPrivateNetwork: true, crawl: { delayMs: 0, maxPages: 1000 } });
    const ms = performance.now() - started;
    await server.close();
    if (outcome.kind !== "imported") throw new Error(`${spec.name} / ${style}: ${outcome.error.message}`);
    const result = score(outcome.definition, site.truth);
    const reviewed = outcome.definition.actions.filter((action) => (action.provenance?.confidence ?? 1) < 0.8).length;
    rows.push({ spec: spec.name, style, pages: Object.keys(site.pages).length, ms, reviewed, actions: outcome.definition.actions.length, ...result });
  }
}

const pct = (value) => `${(100 * value).toFixed(1)} %`;
const met = (ok) => (ok ? "met" : "**missed**");
const lines = [
  "<!-- crawl:begin -->",
  "## Scraping whole docs sites (heuristics only)",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run build && node benchmarks/crawl.mjs --write\`. Node ${process.version}, ${cpus().length} cores, 1-minute load average ${loadAtStart.toFixed(1)} at the start.`,
  "Each spec is imported (the truth), rendered as a docs site in three layouts (`benchmarks/support/docs-site.mjs`: Slate-like single page with anchors, one page per endpoint with parameter tables, ReadMe-like with parameter lists), served on loopback and crawled from its start page without an LLM (`crawl.delayMs` 0).",
  "Endpoints match by method and path template (placeholders by position); parameters by location and name (path parameters by count); auth by type (and header or query name for API keys).",
  "",
  "| spec | layout | pages | endpoints | endpoint recall | endpoint precision | param recall | param precision | auth | below 0.8 confidence | crawl + extract |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
  ...rows.map((r) => `| ${r.spec} | ${r.style} | ${r.pages} | ${r.endpoints} | ${pct(r.endpointRecall)} | ${pct(r.endpointPrecision)} | ${pct(r.paramRecall)} | ${pct(r.paramPrecision)} | ${r.authRight ? "right" : "**wrong**"} | ${r.reviewed} of ${r.actions} | ${r.ms.toFixed(0)} ms |`),
  "",
  "Per layout (all specs; weighted by endpoints):",
  "",
  "| layout | endpoint recall (≥ 95 %) | endpoint precision | param recall (≥ 90 %) | param precision | auth right |",
  "| --- | ---: | ---: | ---: | ---: | --- |",
];
let allMet = true;
for (const style of STYLES) {
  const mine = rows.filter((r) => r.style === style);
  const total = mine.reduce((sum, r) => sum + r.endpoints, 0);
  const weighted = (key) => mine.reduce((sum, r) => sum + r[key] * r.endpoints, 0) / total;
  const auth = mine.every((r) => r.authRight);
  const ok = weighted("endpointRecall") >= 0.95 && weighted("paramRecall") >= 0.9 && auth;
  allMet &&= ok;
  lines.push(`| ${style} | ${pct(weighted("endpointRecall"))} (${met(weighted("endpointRecall") >= 0.95)}) | ${pct(weighted("endpointPrecision"))} | ${pct(weighted("paramRecall"))} (${met(weighted("paramRecall") >= 0.9)}) | ${pct(weighted("paramPrecision"))} | ${auth ? "all (met)" : "**not all**"} |`);
}
lines.push("", "The layouts are ours, written after the real ones; a real vendor's site has quirks these do not, so read this as the heuristics' ceiling on well-structured docs, not a promise for every site.", "<!-- crawl:end -->");
const section = lines.join("\n");
console.log(section);
if (process.argv.includes("--write")) {
  const resultsPath = new URL("RESULTS.md", import.meta.url);
  let text = readFileSync(resultsPath, "utf8");
  const pattern = /<!-- crawl:begin -->[\s\S]*?<!-- crawl:end -->/;
  text = pattern.test(text) ? text.replace(pattern, section) : text.replace(/\n*$/, "\n\n") + section + "\n";
  writeFileSync(resultsPath, text);
  console.log(`wrote ${fileURLToPath(resultsPath)}`);
}
if (!allMet) process.exitCode = 1;
