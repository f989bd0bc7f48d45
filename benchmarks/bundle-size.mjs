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
// Each is bundled twice: with esbuild and with Rolldown (the bundler of Vite 8's production builds), both minifying.
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
import { rolldown } from "rolldown";
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

/**
 * Bundles a one-action consumer with esbuild and with Rolldown; returns, for each, what loads up front (minified, gzip)
 * and what only `import()` reaches, and (esbuild) how many of the up-front bytes are the runtime's modules.
 */
async function measure(name, lines) {
  const entry = join(scratch, `${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.ts`);
  writeFileSync(entry, lines.join("\n") + "\n");
  const size = { esbuild: await withEsbuild(entry), rolldown: await withRolldown(entry) };
  console.log(`${name.padEnd(36)} esbuild ${size.esbuild.minified} B (${kb(size.esbuild.gzip)} gzip, lazy ${kb(size.esbuild.lazy)}); rolldown ${size.rolldown.minified} B (${kb(size.rolldown.gzip)} gzip, lazy ${kb(size.rolldown.lazy)})`);
  return size;
}

/** What loads up front (the entry chunk and the chunks it imports statically) and what only `import()` reaches. */
function split(chunks, entryName, importsOf) {
  const initial = new Set();
  const visit = (name) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const imported of importsOf(name)) visit(imported);
  };
  visit(entryName);
  const bytes = Buffer.concat([...initial].map((name) => chunks.get(name)));
  const lazy = [...chunks.keys()].filter((name) => !initial.has(name)).reduce((sum, name) => sum + chunks.get(name).length, 0);
  return { initial, minified: bytes.length, gzip: gzipSync(bytes).length, lazy };
}

async function withEsbuild(entry) {
  // Code splitting on, as Vite, Rollup and webpack do by default: what runtime.js loads with import() (the error classes
  // on the first failure, runtime-batch.js on the first batch) is a chunk of its own.
  const result = await build({ entryPoints: [entry], absWorkingDir: root, bundle: true, splitting: true, outdir: join(scratch, "out"), minify: true, format: "esm", target: "es2022", platform: "neutral", write: false, metafile: true, logLevel: "warning" });
  const chunks = new Map(result.outputFiles.map((file) => [relative(root, file.path), Buffer.from(file.contents)]));
  const outputs = result.metafile.outputs;
  // The consumer's own chunk: with splitting, every module reached by import() is an entry point of the metafile too.
  const entryName = Object.keys(outputs).find((path) => outputs[path].entryPoint === relative(root, entry));
  const sizes = split(chunks, entryName, (name) => outputs[name].imports.filter((edge) => edge.kind === "import-statement").map((edge) => edge.path));
  const runtime = [...sizes.initial].flatMap((name) => Object.entries(outputs[name].inputs)).filter(([input]) => /\/waygate\/runtime[\w-]*\.js$/.test(input));
  return { ...sizes, runtime: Object.fromEntries(runtime.map(([input, { bytesInOutput }]) => [input.split("/").pop(), bytesInOutput])) };
}

async function withRolldown(entry) {
  const bundle = await rolldown({ input: entry, cwd: root, logLevel: "silent" });
  const { output } = await bundle.generate({ format: "esm", minify: true });
  await bundle.close();
  const files = output.filter((item) => item.type === "chunk");
  const chunks = new Map(files.map((chunk) => [chunk.fileName, Buffer.from(chunk.code)]));
  const byName = new Map(files.map((chunk) => [chunk.fileName, chunk]));
  return split(chunks, files.find((chunk) => chunk.isEntry).fileName, (name) => byName.get(name).imports);
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
const verdict = (size) => {
  const met = ["esbuild", "rolldown"].filter((bundler) => size[bundler].minified <= TARGET_BYTES);
  return met.length === 2 ? "met" : met.length === 0 ? "missed" : `met with ${met[0] === "esbuild" ? "esbuild" : "Rolldown"} only`;
};
const rows = Object.entries(sizes).map(([name, { esbuild, rolldown }]) => `| ${name} | ${kb(esbuild.minified)} | ${kb(esbuild.gzip)} | ${kb(esbuild.lazy)} | ${kb(rolldown.minified)} | ${kb(rolldown.gzip)} | ${kb(rolldown.lazy)} | ${verdict({ esbuild, rolldown })} |`);
/** Up-front bytes of a Waygate consumer over a peer's (the peer found by the start of its name), with esbuild, as `0.10×`. */
function ratioTo(consumer, peer) {
  const [, peerSize] = Object.entries(peerSizes).find(([name]) => name.startsWith(peer));
  return `${(sizes[consumer].esbuild.minified / peerSize.esbuild.minified).toFixed(2)}×`;
}
const peerRows = Object.entries(peerSizes).map(([name, { esbuild, rolldown }]) => `| ${name} | ${kb(esbuild.minified)} | ${kb(esbuild.gzip)} | ${kb(rolldown.minified)} | ${kb(rolldown.gzip)} |`);
/** Up-front bytes of the runtime's modules in a consumer's esbuild bundle. */
const runtimeOf = (consumer, module = "runtime.js") => sizes[consumer].esbuild.runtime[module] ?? 0;
const rolldownVersion = JSON.parse(readFileSync(join(root, "node_modules/rolldown/package.json"), "utf8")).version;
const section = [
  "<!-- bundle-size:begin -->",
  "## Bundle: an application that calls one action",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`node benchmarks/bundle-size.mjs\`; esbuild ${(await import("esbuild")).version} (bundle, minify, ESM, es2022, platform neutral) and Rolldown ${rolldownVersion} (the bundler of Vite 8's production builds; bundle, minify, ESM), Node ${process.version}, ${cpus().length} cores, 1-minute load average ${loadAtStart.toFixed(1)} at start (sizes do not depend on load).`,
  `The client is generated for GitHub (${github.integrations[0].actions.length} actions) and the two integrations of fixtures/codegen/small-manifest.json; each consumer creates the client and calls one action.`,
  "Bundled with code splitting, as Vite, Rollup and webpack do by default: \"up front\" is the entry chunk and what it imports statically;",
  "\"lazy\" is what is loaded with `import()` when first needed: a group's action table on the first call of one of its actions (github.issues.js,",
  "through github.groups.lazy.js), the error classes and messages in the background when the first call starts (runtime-error-map.js, runtime-errors.js), `pages()`/`paginate()` on the first page",
  "(runtime-paging.js), `.batch()` on the first batch (runtime-batch.js), and `request()` and `wg.connect.createSession()` on the first such call (runtime-request.js).",
  "",
  "| consumer | esbuild: up front, minified | gzip | lazy | Rolldown: up front, minified | gzip | lazy | target ≤ 10 KB minified up front |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ...rows,
  "",
  "The peers, bundled the same way in the same run, each making one call (`octokit.rest.issues.create`, `client.chat.completions.create`,",
  "`client.POST(\"/repos/{owner}/{repo}/issues\")`):",
  "",
  "| peer, one call | esbuild: up front, minified | gzip | Rolldown: up front, minified | gzip |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...peerRows,
  "",
  `So one GitHub call through github.ts loads ${ratioTo("github, via its module", "@octokit/rest")} of what the same call through Octokit does (Octokit's`,
  "method table holds every endpoint), and through index.ts with three integrations a Slack call loads",
  `${ratioTo("slack, via index.ts", "openai")} of one OpenAI call through the Stainless SDK (a class that constructs every resource).`,
  `openapi-fetch is the floor: ${ratioTo("github, via its module", "openapi-fetch")} of it for github.ts buys retries with backoff and Retry-After, timeouts, error classes by who failed,`,
  "request ids, version reporting, `withResponse()`, and stand-ins for pages, batches and raw requests that load on first use.",
  "",
  `The runtime alone (every module, everything exported, no splitting) is ${kb(runtimeBytes)} minified. What a consumer holds of it up front is runtime.js:`,
  `${kb(runtimeOf("slack, via its module"))} for slack.ts (the call path, retries and Retry-After, timeouts, version reporting, the table parser, stubs that load the rest)`,
  `and ${kb(runtimeOf("github, via its module"))} for github.ts (with the stand-ins of groups whose actions load later). A module names the runtime parts it uses`,
  "(`runtime.paging` only where an action paginates; `runtime.rawRequests` and `runtime.groupModules` only in the integration's own module), so a",
  "bundler drops the rest. No action table of a group is up front: github.ts lists GitHub's groups (`issues`, a line each) and",
  "binds each as a stand-in (a Proxy) whose members load the group's module on their first call and then call the action there; the loader",
  "(github.groups.lazy.js, a literal `import()` per group, with a .d.ts so compilers do not follow them) and each group's module are chunks of their own. index.ts imports the integrations'",
  "modules, so it holds GitHub's group names and the small integrations' whole tables (an integration whose table is 4 KB or less keeps it whole in",
  "its module, Slack's here, since the stand-ins would cost more than the table). The error classes (runtime-errors.js) and the code that picks one and words",
  "its message (runtime-error-map.js) are not up front: the application's start does not wait for them, and only a failed call uses them. They are fetched",
  "in the background when the first call starts, not when one fails: a call that fails because the network went away could not fetch them then.",
  `With esbuild, index.ts also holds runtime-errors.js up front (${kb(runtimeOf("slack, via index.ts", "runtime-errors.js"))}), though the application imports nothing from it: index.ts re-exports it, and`,
  "esbuild keeps a re-exported module that a lazily loaded chunk also imports (esbuild issue #3704, open: tree shaking differs between splitting and no",
  "splitting); Rolldown leaves it out. An application that imports an error class (for `instanceof`) carries runtime-errors.js up front with either.",
  "The module of one top-level group (`github.issues.js`) stays the smallest entry for GitHub, with `wg.github.issues.create(...)`",
  "exactly as from index.ts. A bundler that does not split (esbuild without `splitting`) inlines the lazy chunks, GitHub's every group table included.",
  "Before (2026-12-01, the same script with esbuild only, at commit c3f8d93): 8.8 KB for slack via its module, 12.9 KB via index.ts, 10.9 KB for GitHub",
  "via its module, 10.0 KB via github.issues.js, 8.0 KB via slack.chat.js; the error classes of calls that got no answer and the connect call were in runtime.js.",
  "",
  `Start-up, in this process (median of ${timings.create.length}): \`createWaygate()\` over index.ts ${(median(timings.create) * 1000).toFixed(1)} µs, then reading`,
  `\`wg.github.issues.create\` for the first time ${(median(timings.firstAction) * 1000).toFixed(0)} µs (GitHub's group names, then a stand-in for the action: the \`issues\` group's module is not loaded until a call); nothing is bound before it is read.`,
  `First call of an action whose group's module is not loaded yet, in Node without a bundler, after one raw call: ${firstCalls.all[0].toFixed(1)} ms for the very first (one sample; it also loads github.groups.lazy.js),`,
  `median ${median(firstCalls.all.slice(1)).toFixed(2)} ms for the first call into each of GitHub's other ${firstCalls.all.length - 1} groups (one \`import()\` of the group's module and parsing its table),`,
  `against a median of ${(median(firstCalls.loaded) * 1000).toFixed(0)} µs for the same calls once loaded (a \`fetch\` that answers at once, so these are the client's own work; load average ${loadavg()[0].toFixed(1)}).`,
  "In a browser each of those loads is a request for a chunk: the first call into a group waits for one round trip (two for the first group: the loader, then the group).",
  `index.ts, with three integrations, holds GitHub's group names and the two small integrations' tables on top of what github.ts holds:`,
  `${kb(sizes["slack, via index.ts"].rolldown.minified)} with Rolldown and ${kb(sizes["slack, via index.ts"].esbuild.minified)} with esbuild, whose extra is the error classes above (${verdict(sizes["slack, via index.ts"])}).`,
  "<!-- bundle-size:end -->",
].join("\n");

console.log(`\n${section}\n`);
if (!process.argv.includes("--no-write")) {
  const resultsPath = new URL("RESULTS.md", import.meta.url);
  const results = readFileSync(resultsPath, "utf8");
  const pattern = /<!-- bundle-size:begin -->[\s\S]*?<!-- bundle-size:end -->/;
  writeFileSync(resultsPath, pattern.test(results) ? results.replace(pattern, () => section) : `${results.trimEnd()}\n\n${section}\n`);
}
