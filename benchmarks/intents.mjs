#!/usr/bin/env node
// Intent invoke overhead over a direct action invoke: the built server on SQLite, a loopback
// upstream, the same action called alternately as POST /v1/invoke/bench/ping and as the intent
// `ping` bound to it (by the caller's connection, and by an explicit provider); p50 of each.
//   npm run build && node benchmarks/intents.mjs [--calls 2000] [--no-write]
import { createServer } from "node:http";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
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

const upstream = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { "content-type": "application/json" });
  response.end('{"ok":true,"id":42}');
});
await new Promise((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
const { home, apiKey, url: waygateUrl, process: server, cli } = await startWaygate(root, { prefix: "waygate-intents-bench-", upstreamUrl });

// The intent, defined and bound through the CLI as a user would.
const files = { input: path.join(home, "in.json"), output: path.join(home, "out.json"), mapping: path.join(home, "map.json") };
writeFileSync(files.input, JSON.stringify({ type: "object", properties: {} }));
writeFileSync(files.output, JSON.stringify({ type: "object", required: ["ok"], properties: { ok: { type: "boolean" }, id: { type: "integer" } } }));
writeFileSync(files.mapping, JSON.stringify({ input: [], output: [{ op: "move", from: "/ok", to: "/ok" }, { op: "move", from: "/id", to: "/id" }] }));
cli("intents", "create", "ping", "--input-schema", files.input, "--output-schema", files.output);
cli("intents", "bind", "ping", "bench", "ping", "--mapping", files.mapping);

const headers = { "content-type": "application/json", authorization: `Bearer ${apiKey}` };
const subjects = {
  invoke: () => fetch(`${waygateUrl}/v1/invoke/bench/ping`, { method: "POST", headers, body: "{}" }),
  "intent (by connection)": () => fetch(`${waygateUrl}/v1/intents/ping/invoke`, { method: "POST", headers, body: '{"input":{}}' }),
  "intent (explicit provider)": () => fetch(`${waygateUrl}/v1/intents/ping/invoke`, { method: "POST", headers, body: '{"input":{},"provider":"bench"}' }),
};
const latencies = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let i = 0; i < calls + 200; i++) {
  for (const [name, send] of Object.entries(subjects)) {
    const started = performance.now();
    const response = await send();
    const body = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${name}: ${response.status} ${body}`);
    if (name !== "invoke" && JSON.parse(body).output?.id !== 42) throw new Error(`${name}: unexpected answer ${body}`);
    if (i >= 200) latencies[name].push(elapsed); // the first 200 warm up JIT, pools and caches
  }
}
server.kill("SIGTERM");
upstream.close();
rmSync(home, { recursive: true, force: true });

const p50 = Object.fromEntries(Object.entries(latencies).map(([name, values]) => [name, median(values)]));
const overhead = (name) => p50[name] - p50.invoke;
const met = (ok) => (ok ? "met" : "missed");
const section = `<!-- intents:begin -->
## Intents: overhead of an intent invoke over a direct action invoke

Measured ${new Date().toISOString().slice(0, 10)} with \`npm run build && node benchmarks/intents.mjs --calls ${calls}\`; Node ${process.version}, ${os.cpus().length} cores, 1-minute load average ${os.loadavg()[0].toFixed(1)} at the end${os.loadavg()[0] > 2 ? " (other work was running)" : ""}.
The built server on SQLite, a loopback upstream, ${calls} sequential calls of each (after 200 to warm up), alternating. The intent \`ping\`
(empty canonical input, output \`{ ok, id }\` mapped back by two \`move\` steps) is bound to the same action \`bench ping\`; the intent call
validates the canonical input, selects the provider, maps input and output, and validates the canonical output.

| call | p50 | overhead over invoke | ratio |
| --- | ---: | ---: | ---: |
| POST /v1/invoke/bench/ping | ${p50.invoke.toFixed(2)} ms | | 1.00 |
${Object.keys(subjects)
  .filter((name) => name !== "invoke")
  .map((name) => `| ${name} | ${p50[name].toFixed(2)} ms | ${overhead(name).toFixed(2)} ms | ${(p50[name] / p50.invoke).toFixed(2)} |`)
  .join("\n")}

Target: overhead < 0.5 ms at p50 — by connection ${met(overhead("intent (by connection)") < 0.5)}, explicit provider ${met(overhead("intent (explicit provider)") < 0.5)}.
<!-- intents:end -->`;
console.log(section);
if (write) {
  const resultsPath = new URL("RESULTS.md", import.meta.url);
  const current = readFileSync(resultsPath, "utf8");
  const pattern = /<!-- intents:begin -->[\s\S]*<!-- intents:end -->/;
  writeFileSync(resultsPath, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`);
}
