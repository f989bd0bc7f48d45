// A Waygate of the benchmark's own: fresh config and data dirs, `server init`, then `server start`
// on a free port allowed to reach loopback upstreams. The server logs a line per request (info,
// its default) to a file, as a deployment logs to a collector: piped into the benchmark, reading
// the log would run in the load generator's own event loop and inflate what it measures.
// With `upstreamUrl`, it also gets the integration "bench" (one action, `ping`: GET /ping, its
// output schema checked on every call) and a bearer connection to it.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout } from "node:timers";

/**
 * @param {string} root the repository root, with a trailing slash (bin/waygate.js is run from it)
 * @param {{ prefix: string, nodeArgs?: string[], upstreamUrl?: string }} options
 * @returns {Promise<{ url: string, apiKey: string, home: string, env: NodeJS.ProcessEnv, process: import("node:child_process").ChildProcess, cli: (...args: string[]) => string }>}
 */
export async function startWaygate(root, options) {
  const home = mkdtempSync(path.join(os.tmpdir(), options.prefix));
  const env = { ...process.env, WAYGATE_CONFIG_DIR: path.join(home, "config"), WAYGATE_DATA_DIR: path.join(home, "data"), NO_COLOR: "1" };
  const cli = (...args) => {
    const result = spawnSync(process.execPath, [`${root}bin/waygate.js`, ...args], { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`waygate ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  const apiKey = JSON.parse(cli("server", "init", "--json")).apiKey;
  const log = path.join(home, "server.log");
  const server = spawn(process.execPath, [...(options.nodeArgs ?? []), `${root}bin/waygate.js`, "server", "start", "--port", "0", "--allow-loopback-upstreams"], {
    env,
    stdio: ["ignore", openSync(log, "w"), "inherit"],
  });
  const url = await firstLine(log, server);
  Object.assign(env, { WAYGATE_API_URL: url, WAYGATE_API_KEY: apiKey });
  if (options.upstreamUrl) {
    const definition = path.join(home, "bench.json");
    const ping = { name: "ping", method: "GET", path: "/ping", outputSchema: { type: "object", properties: { ok: { type: "boolean" }, id: { type: "integer" } } } };
    writeFileSync(definition, JSON.stringify({ slug: "bench", name: "Bench", baseUrl: options.upstreamUrl, authSchemes: [{ type: "bearer" }], actions: [ping] }));
    cli("integrations", "create", definition);
    cli("connections", "create", "bench", "--token", "upstream-token");
  }
  return { url, apiKey, home, env, process: server, cli };
}

/** The first line of the log (the server prints its URL first); fails if the server exits before. */
async function firstLine(file, server) {
  for (;;) {
    if (server.exitCode !== null) throw new Error(`waygate server start exited with ${server.exitCode} before printing its URL`);
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    if (text.includes("\n")) return text.slice(0, text.indexOf("\n")).trim();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
