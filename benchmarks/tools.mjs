#!/usr/bin/env node
// AI tools for the GitHub REST API (@octokit/openapi, 1 223 actions), and the cost of a tool call.
//   1. size: bytes per tool in each export format, the largest tools, how many schemas took a
//      size fallback, and the compact tools/list (three meta-tools) against the full one;
//   2. tools/list time through the MCP server (the SDK's own Client over an in-memory transport),
//      full and compact, from descriptors already built; and the cold build of the descriptors;
//   3. tool-call overhead over a plain invoke: the built server, a loopback upstream, the same
//      action called alternately as POST /v1/invoke/… and POST /v1/tools/call; p50 of each.
//   npm run build && node benchmarks/tools.mjs [--calls 2000] [--no-write]
// src/tools is bundled with esbuild into node_modules/.cache (the package has no separate entry for it).
import { Buffer } from "node:buffer";
import { createServer } from "node:http";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { fetch } from "undici";
import { startWaygate } from "./support/server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const calls = arg("calls", 2000);
const write = !process.argv.includes("--no-write");
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const tokens = (bytes) => `≈ ${Math.round(bytes / 4).toLocaleString("en")}`;

// ---- 1 and 2: descriptors, sizes, tools/list --------------------------------------------
const cache = path.join(root, "node_modules/.cache");
mkdirSync(cache, { recursive: true });
const entry = path.join(cache, "tools-bench-entry.ts");
writeFileSync(entry, ['export * from "../../src/tools/descriptor.js";', 'export * from "../../src/tools/formats.js";', 'export * from "../../src/tools/mcp.js";'].join("\n"));
const bundle = path.join(cache, "tools-bench.mjs");
await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", packages: "external", outfile: bundle, logLevel: "warning" });
const tools = await import(pathToFileURL(bundle).href);
const { importDocument } = await import(pathToFileURL(path.join(root, "dist/importer/index.js")).href);
const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
const { InMemoryTransport } = await import("@modelcontextprotocol/sdk/inMemory.js");

const specPath = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
const imported = await importDocument({ kind: "content", content: readFileSync(specPath), filename: "api.github.com.json" }, { limits: { maxDocumentBytes: 64_000_000 } });
if (imported.kind !== "imported") throw new Error(JSON.stringify(imported.error));
const source = { slug: "github", name: imported.definition.name, version: 1, actions: imported.definition.actions };

const buildTimes = [];
let built;
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  built = tools.buildTools([source]);
  buildTimes.push(performance.now() - started);
}
const descriptors = built.tools;
const bytesOf = (value) => Buffer.byteLength(JSON.stringify(value));
const formats = ["openai", "anthropic", "langchain", "mcp", "jsonschema"];
const sizes = Object.fromEntries(formats.map((format) => [format, descriptors.map((tool) => bytesOf(tools.formatTool(tool, format)))]));
const total = (format) => sizes[format].reduce((sum, value) => sum + value, 0);
const largest = descriptors
  .map((tool, index) => ({ name: tool.name, bytes: sizes.mcp[index], fallback: tool.inputFallback }))
  .sort((a, b) => b.bytes - a.bytes)
  .slice(0, 5);
const fallbacks = { depth: descriptors.filter((tool) => tool.inputFallback === "depth").length, shallow: descriptors.filter((tool) => tool.inputFallback === "shallow").length };
const fullList = bytesOf({ tools: descriptors.map(tools.mcpTool) });
const compactList = bytesOf({ tools: tools.metaTools(descriptors.length) });
const issuesList = bytesOf({ tools: descriptors.filter((tool) => tool.action.startsWith("issues.")).map(tools.mcpTool) });
const issuesCount = descriptors.filter((tool) => tool.action.startsWith("issues.")).length;

const neutral = descriptors.map((tool) => tools.formatTool(tool, "jsonschema"));
const listTime = async (compact) => {
  const server = tools.createMcpServer({ list: async () => neutral, call: async () => ({}) }, { name: "bench", version: "0", compact });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(clientSide);
  const times = [];
  for (let run = 0; run < 21; run++) {
    const started = performance.now();
    const { tools: listed } = await client.listTools();
    times.push(performance.now() - started);
    if (listed.length !== (compact === "on" ? 3 : descriptors.length)) throw new Error("wrong tool count");
  }
  await client.close();
  return median(times.slice(1));
};
const listFull = await listTime("off");
const listCompact = await listTime("on");

// ---- 3: tool-call overhead over a plain invoke ------------------------------------------
const upstream = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { "content-type": "application/json" });
  response.end('{"ok":true,"id":42}');
});
await new Promise((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
const { home, apiKey, url: waygateUrl, process: server } = await startWaygate(root, { prefix: "waygate-tools-bench-", upstreamUrl });
const headers = { "content-type": "application/json", authorization: `Bearer ${apiKey}` };
const subjects = {
  invoke: () => fetch(`${waygateUrl}/v1/invoke/bench/ping`, { method: "POST", headers, body: "{}" }),
  "tool call": () => fetch(`${waygateUrl}/v1/tools/call`, { method: "POST", headers, body: '{"name":"bench__ping","arguments":{}}' }),
};
const latencies = { invoke: [], "tool call": [] };
for (let i = 0; i < calls + 200; i++) {
  for (const [name, send] of Object.entries(subjects)) {
    const started = performance.now();
    const response = await send();
    const body = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200 || (name === "tool call" && JSON.parse(body).isError)) throw new Error(`${name}: ${response.status} ${body}`);
    if (i >= 200) latencies[name].push(elapsed); // the first 200 warm up JIT, pools and caches
  }
}
server.kill("SIGTERM");
upstream.close();
rmSync(home, { recursive: true, force: true });
const p50 = { invoke: median(latencies.invoke), tool: median(latencies["tool call"]) };
const overhead = p50.tool - p50.invoke;

// ---- report ------------------------------------------------------------------------------
const met = (ok) => (ok ? "met" : "missed");
const section = `<!-- tools:begin -->
## AI tools: GitHub as tools, and the cost of a tool call

Measured ${new Date().toISOString().slice(0, 10)} with \`npm run build && node benchmarks/tools.mjs --calls ${calls}\`; Node ${process.version}, ${os.cpus().length} cores, 1-minute load average ${os.loadavg()[0].toFixed(1)} at the end${os.loadavg()[0] > 2 ? " (other work was running)" : ""}.
Input: the GitHub REST API from @octokit/openapi (${descriptors.length} actions), imported by the real importer; descriptors from src/tools
(every \`$ref\` inlined, at most 6 refs deep, 24 000 bytes per input schema, descriptions cut to 1 000 characters, 300 per field). Tokens are estimated as bytes / 4.

| format | all ${descriptors.length} tools | per tool, median | per tool, mean |
| --- | ---: | ---: | ---: |
${formats.map((format) => `| ${format} | ${kb(total(format))} (${tokens(total(format))} tokens) | ${median(sizes[format])} B | ${Math.round(total(format) / descriptors.length)} B |`).join("\n")}

| MCP tools/list | size | tokens |
| --- | ---: | ---: |
| full (${descriptors.length} tools) | ${kb(fullList)} | ${tokens(fullList)} |
| \`--actions 'issues.*'\` (${issuesCount} tools) | ${kb(issuesList)} | ${tokens(issuesList)} |
| compact (search_actions, describe_action, call_action) | ${compactList} B | ${tokens(compactList)} |

Largest tools (MCP format): ${largest.map((tool) => `\`${tool.name}\` ${kb(tool.bytes)}${tool.fallback === "none" ? "" : ` (${tool.fallback} fallback)`}`).join(", ")}.
Input schemas that took a size fallback: ${fallbacks.depth} with fewer ref levels, ${fallbacks.shallow} cut to their top-level properties (of ${descriptors.length}).

| time | median |
| --- | ---: |
| build all ${descriptors.length} descriptors, cold (the server caches them per version) | ${median(buildTimes).toFixed(0)} ms |
| tools/list through the MCP server (SDK Client, in-memory transport: no JSON encoding), full | ${listFull.toFixed(1)} ms |
| tools/list through the MCP server (the same), compact | ${listCompact.toFixed(2)} ms |

Tool-call overhead over a plain invoke (the built server on SQLite, a loopback upstream, ${calls} sequential calls of each, alternating):
invoke p50 ${p50.invoke.toFixed(2)} ms, tool call p50 ${p50.tool.toFixed(2)} ms, overhead ${overhead.toFixed(2)} ms (target < 1 ms, ${met(overhead < 1)}).
<!-- tools:end -->`;
console.log(section);
if (write) {
  const resultsPath = new URL("RESULTS.md", import.meta.url);
  const current = readFileSync(resultsPath, "utf8");
  const pattern = /<!-- tools:begin -->[\s\S]*<!-- tools:end -->/;
  writeFileSync(resultsPath, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`);
}
