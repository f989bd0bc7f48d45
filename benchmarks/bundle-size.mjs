#!/usr/bin/env node
// Benchmark: the size of an application bundle that calls one action, and what creating the
// client costs. The generated client for a manifest of GitHub (1 200+ actions) and the two small
// integrations of fixtures/codegen/small-manifest.json is bundled with esbuild (bundle, minify,
// ESM, target es2022, platform neutral, so nothing Node-only slips in) for one-action consumers:
//
//   slack via its module   import { createWaygate } from "./waygate/slack.js"   (a small integration)
//   slack via index        import { createWaygate } from "./waygate/index.js"   (every integration)
//   github via its module  import { createWaygate } from "./waygate/github.js"
//   github via its group   import { createWaygate } from "./waygate/github.issues.js"   (one top-level group)
//   slack via its group    import { createWaygate } from "./waygate/slack.chat.js"
//
// and, bundled the same way, one call through each peer: @octokit/rest (the hand-written GitHub SDK whose method names
// the client follows), openai (a Stainless-generated SDK) and openapi-fetch (a typed fetch wrapper, nothing more).
//
// Bundled with code splitting (as Vite, Rollup and webpack do by default): "minified" is what loads up front (the
// entry chunk and the chunks it imports statically); "lazy" is what the runtime loads with import() when first
// needed (the error classes on the first error answer, pages() on the first page, .batch() on the first batch).
//
// and, in this process, `createWaygate(...)` plus reading one action, for index.ts (all integrations
// bound lazily) — medians of many repetitions.
//
//   node benchmarks/bundle-size.mjs             # writes the "bundle-size" section of RESULTS.md
//   node benchmarks/bundle-size.mjs --no-write
//
// Target: a one-action consumer ≤ 10 KB minified.
import { build } from "esbuild";
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { bundleGenerator } from "./support/generator.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const scratch = join(root, "node_modules/.cache/waygate-bench-bundle");
const TARGET_BYTES = 10 * 1024;
const loadAtStart = loadavg()[0];

if (!process.env.KEEP) rmSync(scratch, { recursive: true, force: true });
mkdirSync(join(scratch, "waygate"), { recursive: true });
const generator = join(scratch, "generator.mjs");
await bundleGenerator(generator);
const { generateClient, githubManifest } = await import(pathToFileURL(generator).href);
const github = await githubManifest();
const small = JSON.parse(readFileSync(join(root, "fixtures/codegen/small-manifest.json"), "utf8"));
const manifest = { ...github, integrations: [...github.integrations, ...small.integrations.map((integration) => ({ actions: [], ...integration }))] };
const files = generateClient(manifest, { generatorVersion: "bench" });
for (const [path, text] of files) {
  // Bundlers read the .ts as it is; written as .js too (types stripped) so the timing below can import it.
  writeFileSync(join(scratch, "waygate", path), text);
  if (path.endsWith(".ts") && !path.endsWith(".d.ts")) {
    const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } }).outputText;
    writeFileSync(join(scratch, "waygate", path.replace(/\.ts$/, ".js")), js);
  }
}
writeFileSync(join(scratch, "package.json"), JSON.stringify({ type: "module" }));

const CONSUMERS = {
  "slack, via its module": [`import { createWaygate } from "./waygate/slack.js";`, `const wg = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com" });`, `export const sent = await wg.slack.chat.postMessage({ channel: "C1", text: "hi" });`],
  "slack, via index.ts": [`import { createWaygate } from "./waygate/index.js";`, `const wg = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com" });`, `export const sent = await wg.slack.chat.postMessage({ channel: "C1", text: "hi" });`],
  "github, via its module": [`import { createWaygate } from "./waygate/github.js";`, `const wg = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com" });`, `export const issue = await wg.github.issues.create({ owner: "o", repo: "r", title: "t" });`],
  "github, via github.issues.js": [`import { createWaygate } from "./waygate/github.issues.js";`, `const wg = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com" });`, `export const issue = await wg.github.issues.create({ owner: "o", repo: "r", title: "t" });`],
  "slack, via slack.chat.js": [`import { createWaygate } from "./waygate/slack.chat.js";`, `const wg = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com" });`, `export const sent = await wg.slack.chat.postMessage({ channel: "C1", text: "hi" });`],
};

/** Bundles a one-action consumer; returns what loads up front (minified, gzip) and what only `import()` reaches. */
async function measure(name, lines) {
  const entry = join(scratch, `${name.replace(/[^a-z]+/gi, "-").toLowerCase()}.ts`);
  writeFileSync(entry, lines.join("\n") + "\n");
  // Code splitting on, as Vite, Rollup and webpack do by default: what runtime.js loads with import() (the error classes
  // on the first error answer, runtime-batch.js on the first batch) is a chunk of its own. "minified" is what the page loads
  // up front: the entry chunk and the chunks it imports statically; "lazy" the chunks only import() reaches.
  const result = await build({ entryPoints: [entry], absWorkingDir: root, bundle: true, splitting: true, outdir: join(scratch, "out"), minify: true, format: "esm", target: "es2022", platform: "neutral", write: false, metafile: true, logLevel: "warning" });
  const contents = new Map(result.outputFiles.map((file) => [relative(root, file.path), file.contents]));
  const outputs = result.metafile.outputs;
  const initial = new Set();
  const visit = (path) => {
    if (initial.has(path)) return;
    initial.add(path);
    for (const edge of outputs[path].imports) if (edge.kind === "import-statement") visit(edge.path);
  };
  // The consumer's own chunk: with splitting, every module reached by import() is an entry point of the metafile too.
  visit(Object.keys(outputs).find((path) => outputs[path].entryPoint === relative(root, entry)));
  const bytes = Buffer.concat([...initial].map((path) => contents.get(path)));
  const lazy = [...contents.keys()].filter((path) => !initial.has(path)).reduce((sum, path) => sum + contents.get(path).length, 0);
  const size = { minified: bytes.length, gzip: gzipSync(bytes).length, lazy };
  console.log(`${name.padEnd(36)} ${kb(size.minified)} minified, ${kb(size.gzip)} gzip; lazy chunks ${kb(lazy)}`);
  return size;
}

const sizes = {};
for (const [name, lines] of Object.entries(CONSUMERS)) sizes[name] = await measure(name, lines);

// The peers, one call each with the same settings: the hand-written GitHub SDK whose names the client follows, a
// Stainless-generated SDK, and the thinnest typed fetch wrapper (no retries, error classes or pagination).
const versionOf = (name) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
const PEERS = {
  [`@octokit/rest ${versionOf("@octokit/rest")}`]: [`import { Octokit } from "@octokit/rest";`, `const octokit = new Octokit({ auth: "k" });`, `export const { data: issue } = await octokit.rest.issues.create({ owner: "o", repo: "r", title: "t" });`],
  [`openai ${versionOf("openai")} (Stainless)`]: [`import OpenAI from "openai";`, `const client = new OpenAI({ apiKey: "k" });`, `export const reply = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });`],
  [`openapi-fetch ${versionOf("openapi-fetch")}`]: [`import createClient from "openapi-fetch";`, `const client = createClient({ baseUrl: "https://api.github.com" });`, `export const { data: issue } = await client.POST("/repos/{owner}/{repo}/issues", { params: { path: { owner: "o", repo: "r" } }, body: { title: "t" } });`],
};
const peerSizes = {};
for (const [name, lines] of Object.entries(PEERS)) peerSizes[name] = await measure(name, lines);

// The runtime alone, everything exported and without splitting: runtime.js and the modules it loads later.
const runtimeOnly = await build({
  stdin: { contents: `export * from "./waygate/runtime.js"; export * from "./waygate/runtime-errors.js"; export * as paging from "./waygate/runtime-paging.js"; export * as batch from "./waygate/runtime-batch.js";`, resolveDir: scratch, loader: "js" },
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  platform: "neutral",
  write: false,
  logLevel: "warning",
});
const runtimeBytes = runtimeOnly.outputFiles[0].contents.length;

// Start-up: createWaygate over index.ts (three integrations, GitHub's 1 200+ actions among them), then one action read.
const index = await import(pathToFileURL(join(scratch, "waygate/index.js")).href);
const timings = { create: [], firstAction: [] };
for (let i = 0; i < 2_000; i++) {
  const started = performance.now();
  const wg = index.createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com" });
  const created = performance.now();
  void wg.github.issues.create;
  const read = performance.now();
  timings.create.push(created - started);
  timings.firstAction.push(read - created);
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// What loading a group's module with import() adds to its first call, in Node without a bundler (the .js written above):
// the first call of an action of each GitHub group (the first of all also loads github.groups.lazy.js), then the same
// calls again, the group loaded. A fetch that answers at once, so the figures are the client's own work.
const answer = async () => new globalThis.Response("{}", { headers: { "content-type": "application/json" } });
const groupCalls = [...files]
  .filter(([path]) => /^github\.[a-z0-9-]+\.js$/.test(path))
  .map(([, text]) => /^export const actionTable = `\n(\S+)/m.exec(text)?.[1])
  .filter((member) => member !== undefined);
const calls = index.createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com", fetch: answer, retries: 0 });
const callOf = (member) => member.split(".").reduce((node, key) => node[key], calls.github);
const firstCalls = { all: [], loaded: [] };
// Warmed up first by a raw call (no group): Node's own fetch classes and the client's call path load on first use.
await calls.github.request("GET /zen");
for (const pass of ["all", "loaded"]) {
  for (const member of groupCalls) {
    const started = performance.now();
    await callOf(member)({});
    firstCalls[pass].push(performance.now() - started);
  }
}
if (!process.env.KEEP) rmSync(scratch, { recursive: true, force: true });

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
const rows = Object.entries(sizes).map(([name, size]) => `| ${name} | ${kb(size.minified)} | ${kb(size.gzip)} | ${kb(size.lazy)} | ${size.minified <= TARGET_BYTES ? "met" : "missed"} |`);
/** Up-front bytes of a Waygate consumer over a peer's (the peer found by the start of its name), as `0.10×`. */
function ratioTo(consumer, peer) {
  const [, peerSize] = Object.entries(peerSizes).find(([name]) => name.startsWith(peer));
  return `${(sizes[consumer].minified / peerSize.minified).toFixed(2)}×`;
}
const peerRows = Object.entries(peerSizes).map(([name, size]) => `| ${name} | ${kb(size.minified)} | ${kb(size.gzip)} | ${kb(size.lazy)} |`);
const section = [
  "<!-- bundle-size:begin -->",
  "## Bundle: an application that calls one action",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`node benchmarks/bundle-size.mjs\`; esbuild ${(await import("esbuild")).version} (bundle, minify, ESM, es2022, platform neutral), Node ${process.version}, ${cpus().length} cores, 1-minute load average ${loadAtStart.toFixed(1)} at start (sizes do not depend on load).`,
  `The client is generated for GitHub (${github.integrations[0].actions.length} actions) and the two integrations of fixtures/codegen/small-manifest.json; each consumer creates the client and calls one action.`,
  "Bundled with code splitting, as Vite, Rollup and webpack do by default: \"up front\" is the entry chunk and what it imports statically;",
  "\"lazy\" is what is loaded with `import()` when first needed: a group's action table on the first call of one of its actions (github.issues.js,",
  "through github.groups.lazy.js), the error classes on the first error answer (runtime-error-map.js, runtime-errors.js), `pages()`/`paginate()` on the first page",
  "(runtime-paging.js), `.batch()` on the first batch (runtime-batch.js) and `request()` on the first raw call (runtime-request.js).",
  "",
  "| consumer | up front, minified | gzip | lazy, minified | target ≤ 10 KB minified up front |",
  "| --- | ---: | ---: | ---: | --- |",
  ...rows,
  "",
  "The peers, bundled the same way in the same run, each making one call (`octokit.rest.issues.create`, `client.chat.completions.create`,",
  "`client.POST(\"/repos/{owner}/{repo}/issues\")`):",
  "",
  "| peer, one call | up front, minified | gzip | lazy, minified |",
  "| --- | ---: | ---: | ---: |",
  ...peerRows,
  "",
  `So one GitHub call through github.ts loads ${ratioTo("github, via its module", "@octokit/rest")} of what the same call through Octokit does (Octokit's`,
  "method table holds every endpoint), and through index.ts with three integrations a Slack call loads",
  `${ratioTo("slack, via index.ts", "openai")} of one OpenAI call through the Stainless SDK (a class that constructs every resource).`,
  `openapi-fetch is the floor: ${ratioTo("github, via its module", "openapi-fetch")} of it for github.ts buys retries with backoff and Retry-After, timeouts, error classes by who failed,`,
  "request ids, version reporting, `withResponse()`, and stand-ins for pages, batches and raw requests that load on first use.",
  "",
  `The runtime alone (every module, everything exported, no splitting) is ${kb(runtimeBytes)} minified. A module names the runtime parts it uses`,
  "(`runtime.paging` only where an action paginates; `runtime.rawRequests` and `runtime.groupModules` only in the integration's own module), so a",
  "bundler drops the rest. No action table of a group is up front any more: github.ts lists GitHub's groups (`issues /`, a few bytes each) and",
  "binds each as a stand-in (a Proxy) whose members load the group's module on their first call and then call the action there; the loader",
  "(github.groups.lazy.js, a literal `import()` per group, with a .d.ts so compilers do not follow them) and each group's module are chunks of their own. index.ts imports the integrations'",
  "modules, so it holds GitHub's group names and the small integrations' whole tables.",
  "What is still up front, and why index.ts and github.ts miss the target: runtime.js itself, 8.1 KB of it for any consumer (the call path,",
  "retries, version reporting, the table parser) and 9.9 KB for a consumer of index.ts or github.ts (with the group stand-ins, 1.5 KB, and",
  "the `request()` stub); for index.ts also the error classes it re-exports (runtime-errors.js, 1.6 KB: a module that index.ts re-exports is",
  "loaded with it whatever the application imports from it; which class an answer becomes is in runtime-error-map.js, loaded on the first",
  "error answer) and every integration's module (1.3 KB here). So github.ts misses by about 0.9 KB and index.ts by about 2.9 KB; getting",
  "there needs a smaller runtime core (not done). Only a long table loads by group: an integration whose table is 4 KB or less keeps it",
  "whole in its module (Slack's here), since the stand-ins would cost more than the table. The module of one top-level group",
  "(`github.issues.js`) stays the smallest entry for GitHub, with `wg.github.issues.create(...)`",
  "exactly as from index.ts. An application that imports an error class (for `instanceof`) carries runtime-errors.js up front. A bundler that",
  "does not split (esbuild without `splitting`) inlines the lazy chunks, GitHub's every group table included.",
  "Before (2026-12-01, the same script at commit c4d5cb7): 9.3 KB for slack via its module, 59.8 KB via index.ts, 56.1 KB for GitHub via its module,",
  "9.8 KB via github.issues.ts, 7.9 KB via slack.chat.ts. (Until this change the script took the first entry point of esbuild's metafile as the",
  "consumer's chunk; with splitting every chunk reached by `import()` is an entry point too, so that is now the consumer's own.)",
  "",
  `Start-up, in this process (median of ${timings.create.length}): \`createWaygate()\` over index.ts ${(median(timings.create) * 1000).toFixed(1)} µs, then reading`,
  `\`wg.github.issues.create\` for the first time ${(median(timings.firstAction) * 1000).toFixed(0)} µs (GitHub's group names, then a stand-in for the action: the \`issues\` group's module is not loaded until a call); nothing is bound before it is read.`,
  `First call of an action whose group's module is not loaded yet, in Node without a bundler, after one raw call: ${firstCalls.all[0].toFixed(1)} ms for the very first (one sample; it also loads github.groups.lazy.js),`,
  `median ${median(firstCalls.all.slice(1)).toFixed(2)} ms for the first call into each of GitHub's other ${firstCalls.all.length - 1} groups (one \`import()\` of the group's module and parsing its table),`,
  `against a median of ${(median(firstCalls.loaded) * 1000).toFixed(0)} µs for the same calls once loaded (a \`fetch\` that answers at once, so these are the client's own work; load average ${loadavg()[0].toFixed(1)}).`,
  "In a browser each of those loads is a request for a chunk: the first call into a group waits for one round trip (two for the first group: the loader, then the group).",
  "Type-checking is unchanged: the loader reaches compilers as github.groups.lazy.d.ts, so a program rooted at application code that imports",
  "index.ts holds one file more, not GitHub's 49 group modules (with the loader as .ts it held them: 50 files and about 0.3 s more checking).",
  "`farm-bench -n 9` of `tsc -p` over a consumer of three GitHub actions, this client against the one before (commit c4d5cb7): wall 1.00×, CPU 1.02× (medians, load average 2.4).",
  "<!-- bundle-size:end -->",
].join("\n");

console.log(`\n${section}\n`);
if (!process.argv.includes("--no-write")) {
  const resultsPath = new URL("RESULTS.md", import.meta.url);
  const results = readFileSync(resultsPath, "utf8");
  const pattern = /<!-- bundle-size:begin -->[\s\S]*?<!-- bundle-size:end -->/;
  writeFileSync(resultsPath, pattern.test(results) ? results.replace(pattern, () => section) : `${results.trimEnd()}\n\n${section}\n`);
}
