#!/usr/bin/env node
// Gateway overhead on loopback, in one run: the same trivial upstream action called
// directly and through Waygate (`POST /v1/invoke/...`), with autocannon.
//   1. fixed moderate rate → p50/p99 latency of each, and the overhead;
//   2. saturation → throughput of each, and the ratio.
//   npm run build && node benchmarks/gateway.mjs [--seconds 10] [--rate 300]
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const root = fileURLToPath(new URL("..", import.meta.url));
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const seconds = arg("seconds", 10);
const rate = arg("rate", 300);
if (!existsSync(`${root}dist/cli/main.js`)) throw new Error("build first: npm run build");

const upstream = createServer((request, response) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.end('{"ok":true,"id":42}');
});
await new Promise((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;

const home = mkdtempSync(path.join(os.tmpdir(), "waygate-bench-"));
const env = { ...process.env, WAYGATE_CONFIG_DIR: path.join(home, "config"), WAYGATE_DATA_DIR: path.join(home, "data"), NO_COLOR: "1" };
const cli = (...args) => {
  const result = spawnSync(process.execPath, [`${root}bin/waygate.js`, ...args], { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`waygate ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
};
const apiKey = JSON.parse(cli("server", "init", "--json")).apiKey;
const server = spawn(process.execPath, [...(process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=" + process.env.BENCH_PROFILE] : []), `${root}bin/waygate.js`, "server", "start", "--port", "0"], { env, stdio: ["ignore", "pipe", "inherit"] });
const waygateUrl = await new Promise((resolve) => server.stdout.once("data", (chunk) => resolve(String(chunk).trim().split("\n")[0])));
Object.assign(env, { WAYGATE_API_URL: waygateUrl, WAYGATE_API_KEY: apiKey });
const definition = path.join(home, "bench.json");
writeFileSync(
  definition,
  JSON.stringify({
    slug: "bench",
    name: "Bench",
    baseUrl: upstreamUrl,
    authSchemes: [{ type: "bearer" }],
    actions: [{ name: "ping", method: "GET", path: "/ping", outputSchema: { type: "object", properties: { ok: { type: "boolean" }, id: { type: "integer" } } } }],
  }),
);
cli("integrations", "create", definition);
cli("connections", "create", "bench", "--token", "upstream-token");

const direct = { url: `${upstreamUrl}/ping`, method: "GET" };
const viaWaygate = {
  url: `${waygateUrl}/v1/invoke/bench/ping`,
  method: "POST",
  headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
  body: "{}",
};
const run = (target, options) =>
  new Promise((resolve, reject) => autocannon({ ...target, duration: seconds, ...options }, (error, result) => (error ? reject(error) : resolve(result))));
const check = (name, result) => {
  if (result.non2xx || result.errors) throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
};

// Warm both paths (JIT, connection pools, Ajv compile) before measuring.
await run(direct, { duration: 2, connections: 10 });
await run(viaWaygate, { duration: 2, connections: 10 });

const results = {};
for (const [name, target] of [["direct", direct], ["waygate", viaWaygate]]) {
  // Two connections: the rate is steady, so latency shows the work per call rather than
  // a burst of simultaneous requests queueing behind each other.
  const fixed = await run(target, { connections: 2, overallRate: rate });
  check(`${name} at ${rate}/s`, fixed);
  const saturated = await run(target, { connections: 50, pipelining: 1 });
  check(`${name} saturated`, saturated);
  results[name] = { p50: fixed.latency.p50, p99: fixed.latency.p99, rps: saturated.requests.average };
}
server.kill("SIGTERM");
upstream.close();

const overhead50 = results.waygate.p50 - results.direct.p50;
const overhead99 = results.waygate.p99 - results.direct.p99;
const ratio = results.waygate.rps / results.direct.rps;
const lines = [
  `direct   p50 ${results.direct.p50} ms  p99 ${results.direct.p99} ms  saturated ${Math.round(results.direct.rps)} req/s`,
  `waygate  p50 ${results.waygate.p50} ms  p99 ${results.waygate.p99} ms  saturated ${Math.round(results.waygate.rps)} req/s`,
  `overhead p50 ${overhead50.toFixed(2)} ms (target < 1)  p99 ${overhead99.toFixed(2)} ms (target < 5)  throughput ${(ratio * 100).toFixed(0)}% of direct (target ≥ 50%)`,
];
for (const line of lines) console.log(line);

const section = [
  "<!-- gateway:begin -->",
  "## Gateway overhead (loopback)",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run build && node benchmarks/gateway.mjs --seconds ${seconds} --rate ${rate}\`: autocannon against a trivial JSON upstream, directly and through \`POST /v1/invoke\` (embedded SQLite server, bearer connection, output validation on), 2 connections at ${rate} req/s for latency, 50 unthrottled connections for throughput; Node ${process.version}, ${os.cpus().length} cores. Server, upstream and load generator share the machine.`,
  "",
  "| path | p50 | p99 | throughput at saturation |",
  "| --- | ---: | ---: | ---: |",
  `| direct to upstream | ${results.direct.p50} ms | ${results.direct.p99} ms | ${Math.round(results.direct.rps)} req/s |`,
  `| through Waygate | ${results.waygate.p50} ms | ${results.waygate.p99} ms | ${Math.round(results.waygate.rps)} req/s |`,
  `| **overhead / ratio** | **${overhead50.toFixed(2)} ms** (target < 1) | **${overhead99.toFixed(2)} ms** (target < 5) | **${(ratio * 100).toFixed(0)}%** of direct (target ≥ 50%) |`,
  "",
  "The server is one Node process: every invoke pays an API-key lookup, one query for the version the caller runs and one",
  "for its connection (SQLite), AES-GCM decryption of the credentials, Hono routing, Ajv input and output validation and an",
  "undici round trip: about 1.2 ms of CPU per call on this machine, which caps throughput near 800 req/s per core. The gateway",
  "library alone (src/gateway, in-process, upstream round trip included) takes about 0.7 ms per call.",
  "<!-- gateway:end -->",
].join("\n");
const resultsFile = `${root}benchmarks/RESULTS.md`;
let text = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "# Benchmark results\n";
text = /<!-- gateway:begin -->[\s\S]*<!-- gateway:end -->/.test(text) ? text.replace(/<!-- gateway:begin -->[\s\S]*<!-- gateway:end -->/, section) : text.trimEnd() + "\n\n" + section + "\n";
writeFileSync(resultsFile, text);
