#!/usr/bin/env node
// A batch of 10 000 writes against a local upstream that allows N requests per second
// (fixed one-second windows; 429 with Retry-After: 1 beyond them), through the built CLI
// and server, on each job backend in turn: the embedded SQLite queue, and BullMQ on Redis
// (WAYGATE_REDIS_URL; the rate limiter is then the shared one in Redis). Reports the achieved
// rate against N, the upstream's 429s (all, and those over a second after the first 429), and
// duplicate deliveries.
//   npm run build && node benchmarks/batch.mjs [--items 10000] [--rate 100] [--concurrency 8] [--backends embedded,bullmq] [--redis redis://127.0.0.1:6379] [--no-write] [--trace]
// --trace: the 429s' times, the accepted requests per second, and (BullMQ) the shared pace as it ended.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout } from "node:timers";
import { fileURLToPath } from "node:url";
import { fetch } from "undici";
import { Redis } from "ioredis";
import { randomBytes } from "node:crypto";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = path.join(root, "bin/waygate.js");
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const ITEMS = arg("items", 10_000);
const RATE = arg("rate", 100);
const CONCURRENCY = arg("concurrency", 8);
const write = !process.argv.includes("--no-write");
const textArg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const BACKENDS = textArg("backends", "embedded,bullmq").split(",");
const REDIS_URL = textArg("redis", "redis://127.0.0.1:6379");
if (!existsSync(path.join(root, "dist/cli/main.js"))) throw new Error("build first: npm run build");

async function runOnce(backend) {
// The upstream: N per wall-clock second, then 429 + Retry-After until the next second.
let window = 0;
let inWindow = 0;
const accepted = [];
const throttled = [];
const keys = new Map();
const upstream = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== window) {
      window = second;
      inWindow = 0;
    }
    if (++inWindow > RATE) {
      throttled.push(now);
      response.writeHead(429, { "retry-after": "1", "content-type": "application/json" });
      response.end('{"error":"rate limited"}');
      return;
    }
    accepted.push(now);
    const key = request.headers["idempotency-key"];
    keys.set(key, (keys.get(key) ?? 0) + 1);
    response.writeHead(201, { "content-type": "application/json" });
    response.end('{"id":1}');
  });
});
await new Promise((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;

const home = mkdtempSync(path.join(os.tmpdir(), "waygate-bench-batch-"));
const prefix = `wg-bench-${randomBytes(6).toString("hex")}`;
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("WAYGATE_"))), HOME: home, WAYGATE_CONFIG_DIR: path.join(home, "config"), NO_COLOR: "1",
  ...(backend === "bullmq" ? { WAYGATE_REDIS_URL: REDIS_URL, WAYGATE_REDIS_PREFIX: prefix } : {}),
};
const dataDir = path.join(home, "data");
const init = spawnSync(process.execPath, [bin, "server", "init", "--json", "--tenant", "Bench", "--data-dir", dataDir], { env, encoding: "utf8" });
if (init.status !== 0) throw new Error(init.stderr);
const { apiKey } = JSON.parse(init.stdout);
const server = spawn(process.execPath, [bin, "server", "start", "--port", "0", "--data-dir", dataDir, "--allow-loopback-upstreams"], { env, stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve) => {
  let out = "";
  server.stdout.on("data", (chunk) => {
    out += chunk;
    const match = /^(http:\/\/\S+)\n/m.exec(out);
    if (match) resolve(match[1]);
  });
});
const api = async (method, route, body) => {
  const response = await fetch(url + route, { method, headers: { authorization: `Bearer ${apiKey}`, ...(body ? { "content-type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return response.json();
};

try {
  await api("POST", "/v1/integrations", {
    slug: "crm", name: "CRM", baseUrl: upstreamUrl, authSchemes: [],
    actions: [{ name: "contacts.create", method: "POST", path: "/contacts", inputSchema: { type: "object", required: ["name"], properties: { name: { type: "string", "x-waygate-in": "body" } } } }],
  });
  const file = path.join(home, "items.jsonl");
  writeFileSync(file, Array.from({ length: ITEMS }, (_, i) => JSON.stringify({ name: `contact ${i}` })).join("\n"));
  const started = Date.now();
  // Asynchronously: the upstream answers from this process's event loop.
  const run = await new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, "batch", "run", "crm", "contacts.create", "--items", file, "--concurrency", String(CONCURRENCY), "--json"], {
      env: { ...env, WAYGATE_API_URL: url, WAYGATE_API_KEY: apiKey },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
  const wall = (Date.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`batch run failed: ${run.stderr}`);
  const batch = JSON.parse(run.stdout);
  const first = Math.min(accepted[0], throttled[0] ?? Infinity);
  const sending = (accepted.at(-1) - first) / 1000;
  const achieved = accepted.length / sending;
  // The lesson is the first 429 and the others in its second; any later one means the pace was wrong.
  const after1s = throttled.filter((t) => t - throttled[0] > 1000).length;
  const duplicates = [...keys.values()].filter((n) => n > 1).length;
  const line = `| ${backend === "bullmq" ? "BullMQ (Redis)" : "embedded (SQLite)"} | ${ITEMS} | ${RATE} | ${CONCURRENCY} | ${achieved.toFixed(1)}/s | ${((achieved / RATE) * 100).toFixed(1)} % | ${throttled.length} | ${after1s} | ${duplicates} | ${wall.toFixed(1)} s |`;
  const status = `${backend}: batch ${batch.status}: ${batch.counts.succeeded} succeeded, ${batch.counts.failed} failed`;
  console.log(status);
  console.log(line);
  if (process.argv.includes("--trace")) console.log("429s at (s after the first send):", throttled.map((t) => ((t - first) / 1000).toFixed(2)).join(" "), "\naccepted per second:", Object.entries(accepted.reduce((acc, t) => ((acc[Math.floor((t - first) / 1000)] = (acc[Math.floor((t - first) / 1000)] ?? 0) + 1), acc), {})).map(([s, n]) => `${s}:${n}`).join(" "));
  return { line, status };
} finally {
  server.kill("SIGTERM");
  upstream.close();
  upstream.closeAllConnections();
  setTimeout(() => rmSync(home, { recursive: true, force: true }), 500);
  if (backend === "bullmq") {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (process.argv.includes("--trace")) {
      // What the shared limiter learned, as it stands at the end of the batch.
      for (const key of keys.filter((name) => name.includes(":rl:pace:"))) console.log(key.slice(prefix.length), await redis.hgetall(key));
    }
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}
}

const rows = [];
for (const backend of BACKENDS) rows.push(await runOnce(backend));
const lines = [
  `| backend | items | N (req/s) | concurrency | achieved rate | % of N | upstream 429s | 429s over 1 s after the first 429 | duplicates | wall (CLI) |`,
  `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
  ...rows.map((row) => row.line),
];
const status = rows.map((row) => row.status).join("; ");
console.log(lines.join("\n"));
if (write) {
  const results = path.join(root, "benchmarks/RESULTS.md");
  const section = [
    "<!-- batch:begin -->",
    "## Batches: 10 000 writes against a rate-limited upstream",
    "",
    `\`node benchmarks/batch.mjs\` (built CLI and server, on the embedded SQLite queue and on BullMQ with the shared Redis rate limiter, loopback upstream allowing N requests per wall-clock second and answering 429 + \`Retry-After: 1\` beyond). Measured ${new Date().toISOString().slice(0, 10)} on the shared 2-core machine (load from other agents). The rate is the upstream's accepted requests over the time from the first send to the last; ${status}.`,
    "",
    ...lines,
    "<!-- batch:end -->",
  ].join("\n");
  const text = readFileSync(results, "utf8");
  const replaced = /<!-- batch:begin -->[\s\S]*<!-- batch:end -->/.test(text) ? text.replace(/<!-- batch:begin -->[\s\S]*<!-- batch:end -->/, section) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(results, replaced);
}

