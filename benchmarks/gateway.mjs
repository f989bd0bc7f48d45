#!/usr/bin/env node
// Gateway overhead on loopback, in one run: the same trivial upstream action called
//   direct      straight at the upstream;
//   bare proxy  through the least a Node gateway can do (node:http in, undici out, no
//               auth, lookup or validation): the ceiling for any gateway written in Node;
//   waygate     through `POST /v1/invoke/...` on the built server (embedded SQLite,
//               bearer connection, output validation on).
// Each runs in its own process; rounds interleave the subjects so machine noise hits all alike.
//   1. latency at a fixed moderate rate (2 connections): p50/p99 with microsecond timing;
//   2. throughput at saturation (autocannon, 50 connections).
//   npm run build && node benchmarks/gateway.mjs [--rounds 3] [--seconds 6] [--rate 200] [--no-write]
import { Buffer } from "node:buffer";
import { fork } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout } from "node:timers";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Agent, Pool, fetch } from "undici";
import { startWaygate } from "./support/server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const UPSTREAM_BODY = '{"ok":true,"id":42}';

// Child roles: the upstream and the bare proxy, each in a process of its own like the server.
if (process.argv[2] === "upstream") {
  const upstream = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { "content-type": "application/json" });
    response.end(UPSTREAM_BODY);
  });
  upstream.listen(0, "127.0.0.1", () => process.send(upstream.address().port));
} else if (process.argv[2] === "proxy") {
  const origin = process.argv[3];
  const agent = new Agent({ connections: 64 });
  const proxy = createServer(async (request, response) => {
    for await (const _ of request); // read the caller's body, as any gateway must
    const answer = await agent.request({ origin, path: "/ping", method: "GET" });
    const body = Buffer.from(await answer.body.arrayBuffer());
    response.writeHead(answer.statusCode, { "content-type": "application/json", "content-length": body.length });
    response.end(body);
  });
  proxy.listen(0, "127.0.0.1", () => process.send(proxy.address().port));
} else {
  await main();
}

async function main() {
  const rounds = arg("rounds", 3);
  const seconds = arg("seconds", 6);
  const rate = arg("rate", 200);
  const write = !process.argv.includes("--no-write");
  if (!existsSync(`${root}dist/cli/main.js`)) throw new Error("build first: npm run build");

  const children = [];
  const child = (...args) =>
    new Promise((resolve, reject) => {
      const process_ = fork(fileURLToPath(import.meta.url), args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      children.push(process_);
      process_.once("message", (port) => resolve(`http://127.0.0.1:${port}`));
      process_.once("error", reject);
    });
  const upstreamUrl = await child("upstream");
  const proxyUrl = await child("proxy", upstreamUrl);

  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const { home, apiKey, url: waygateUrl, process: server } = await startWaygate(root, { prefix: "waygate-bench-", upstreamUrl, nodeArgs: profile });
  children.push(server);

  const post = { method: "POST", headers: { "content-type": "application/json" }, body: "{}" };
  const subjects = {
    direct: { url: `${upstreamUrl}/ping`, method: "GET" },
    "bare proxy": { url: `${proxyUrl}/ping`, ...post },
    waygate: { url: `${waygateUrl}/v1/invoke/bench/ping`, ...post, headers: { ...post.headers, authorization: `Bearer ${apiKey}` } },
  };

  const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, { p50: [], p99: [], rps: [] }]));
  for (const [name, target] of Object.entries(subjects)) {
    // Warm-up: JIT, connection pools, the server's caches and compiled schemas.
    await saturate(target, 2, 10);
    await fixedRate(target, 200, 1);
    if (name === "waygate") await checkAnswer(target);
  }
  for (let round = 1; round <= rounds; round++) {
    for (const [name, target] of Object.entries(subjects)) {
      // A pause first: the previous saturation run leaves garbage to collect and sockets to close.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const latency = await fixedRate(target, rate, seconds);
      const throughput = await saturate(target, seconds, 50);
      samples[name].p50.push(latency.p50);
      samples[name].p99.push(latency.p99);
      samples[name].rps.push(throughput);
      console.log(
        `round ${round} ${name.padEnd(10)} p50 ${latency.p50.toFixed(2)} ms  p90 ${latency.p90.toFixed(2)} ms  p99 ${latency.p99.toFixed(2)} ms  max ${latency.max.toFixed(2)} ms  ${Math.round(throughput)} req/s`,
      );
    }
  }
  for (const process_ of children) process_.kill("SIGTERM");
  rmSync(home, { recursive: true, force: true });

  const result = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, { p50: median(s.p50), p99: median(s.p99), rps: median(s.rps) }]));
  const { direct, waygate } = result;
  const bare = result["bare proxy"];
  const overhead50 = waygate.p50 - direct.p50;
  const overhead99 = waygate.p99 - direct.p99;
  const ratio = waygate.rps / direct.rps;
  const met = (ok) => (ok ? "met" : "missed");
  console.log(
    `overhead p50 ${overhead50.toFixed(2)} ms (target < 1, ${met(overhead50 < 1)})  p99 ${overhead99.toFixed(2)} ms (target < 5, ${met(overhead99 < 5)})  ` +
      `throughput ${(ratio * 100).toFixed(0)}% of direct (target ≥ 50%, ${met(ratio >= 0.5)}), ${((waygate.rps / bare.rps) * 100).toFixed(0)}% of the bare proxy`,
  );
  if (!write) return;

  const row = (name, r) => `| ${name} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${Math.round(r.rps)} req/s | ${((r.rps / direct.rps) * 100).toFixed(0)}% |`;
  const section = [
    "<!-- gateway:begin -->",
    "## Gateway overhead (loopback)",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run build && node benchmarks/gateway.mjs --rounds ${rounds} --seconds ${seconds} --rate ${rate}\`; Node ${process.version}, ${os.cpus().length} cores, 1-minute load average ${os.loadavg()[0].toFixed(1)} at the end.`,
    `Medians of ${rounds} interleaved rounds. Latency: ${rate} req/s over 2 keep-alive connections for ${seconds} s, timed per request in the benchmark process.`,
    `Throughput: autocannon, 50 connections for ${seconds} s. Upstream, bare proxy and Waygate server each run in their own process; the load generator shares the same 2 cores.`,
    "",
    "| path | p50 | p99 | throughput at saturation | of direct |",
    "| --- | ---: | ---: | ---: | ---: |",
    row("direct to upstream", direct),
    row("bare proxy (node:http + undici, no logic)", bare),
    row("**through Waygate** (`POST /v1/invoke`)", waygate),
    "",
    `Overhead of Waygate over direct: **p50 ${overhead50.toFixed(2)} ms** (target < 1 ms, ${met(overhead50 < 1)}), **p99 ${overhead99.toFixed(2)} ms** (target < 5 ms, ${met(overhead99 < 5)}); ` +
      `throughput **${(ratio * 100).toFixed(0)}% of direct** (target ≥ 50%, ${met(ratio >= 0.5)}) and ${((waygate.rps / bare.rps) * 100).toFixed(0)}% of the bare proxy.`,
    "",
    "Every Waygate call still authenticates the key, resolves the version the caller runs and its connection, validates input and",
    "output with Ajv, builds the request and injects the credentials: the store's reads are served from memory while nothing changed",
    "(src/store/changes.ts: writes here, SQLite's data_version and Postgres notifications invalidate them), so no query and no",
    "decryption runs on the hot path. The bare proxy row is the ceiling for a proxy in Node on this machine: it pays for one HTTP",
    "exchange in and one out, which a saturated direct call does not, so no Node gateway can reach half of direct throughput here",
    "while the load generator, the upstream and the gateway share two cores.",
    "The p99 overhead is not spent in Waygate's own code: tracing the slow calls shows them waiting 2–4.5 ms for the upstream's",
    "response headers, plus a young-generation GC of about 2 ms every 1.2 s at this rate. Why Waygate's upstream calls meet that",
    "tail more often than the bare proxy's is not yet known (its undici Agent options, per-call abort signal and timer differ).",
    "The tail also moves with the machine: consecutive 6-second rounds of one build have given p99s from 1.7 ms to 10 ms.",
    "The Waygate server writes one JSON log line per request (its default level, info) to a file, as a deployment writes to a",
    "collector. The same host has also varied between runs by about 3× in the direct row's throughput (60 000 req/s on",
    "2026-11-26, 21 000–42 000 on 2026-12-01): compare rows of one run, not runs.",
    "<!-- gateway:end -->",
  ].join("\n");
  const resultsFile = `${root}benchmarks/RESULTS.md`;
  let text = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "# Benchmark results\n";
  const pattern = /<!-- gateway:begin -->[\s\S]*<!-- gateway:end -->/;
  text = pattern.test(text) ? text.replace(pattern, section) : text.trimEnd() + "\n\n" + section + "\n";
  writeFileSync(resultsFile, text);
}

/** Requests at a steady rate over two connections, each timed with hrtime; returns p50/p99 in ms. */
async function fixedRate(target, rate, seconds) {
  const url = new URL(target.url);
  const pool = new Pool(url.origin, { connections: 2, pipelining: 1 });
  const times = [];
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const started = performance.now();
  const inFlight = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      (async () => {
        const begin = process.hrtime.bigint();
        const answer = await pool.request({ path: url.pathname, method: target.method, headers: target.headers, body: target.body });
        await answer.body.text();
        if (answer.statusCode !== 200) throw new Error(`${target.url} answered ${answer.statusCode}`);
        times.push(Number(process.hrtime.bigint() - begin) / 1e6);
      })(),
    );
  }
  await Promise.all(inFlight);
  await pool.close();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p90: percentile(times, 0.9), p99: percentile(times, 0.99), max: times.at(-1) };
}

function saturate(target, seconds, connections) {
  return new Promise((resolve, reject) =>
    autocannon({ ...target, duration: seconds, connections, pipelining: 1 }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx || result.errors) return reject(new Error(`${target.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`));
      resolve(result.requests.average);
    }),
  );
}

async function checkAnswer(target) {
  const answer = await fetch(target.url, { method: target.method, headers: target.headers, body: target.body });
  const body = await answer.text();
  if (answer.status !== 200 || body !== UPSTREAM_BODY) throw new Error(`Waygate answered ${answer.status} ${body}`);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
