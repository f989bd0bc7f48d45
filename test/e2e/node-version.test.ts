import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NODE_ENGINES, unsupportedNode } from "../../bin/node-version.js";
import { BIN, isolatedEnv, type CliResult } from "../support/cli.js";

const env = isolatedEnv();

/** Runs the launcher under `node`, with `process.version` redefined by a preload when `pretend` is given. */
function launch(args: string[], options: { node?: string; pretend?: string } = {}): Promise<CliResult> {
  const preload = options.pretend
    ? ["--import", `data:text/javascript,Object.defineProperty(process,"version",{value:${JSON.stringify(options.pretend)}})`]
    : [];
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [...preload, BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the Node.js version check", () => {
  it.each(["v20.11.0", "v22.12.0", "v22.22.1", "v24.14.0", "v18.20.4"])(
    "refuses Node %s with one line on stderr and exit 1, before loading the CLI",
    async (version) => {
      const result = await launch(["--version"], { pretend: version });
      expect(result).toEqual({ code: 1, stdout: "", stderr: `waygate needs Node.js ≥ 22.22.2 (≥ 24.15.0 on Node 24); this is ${version}\n` });
    },
  );

  it("refuses commands too, not only --version", async () => {
    const result = await launch(["integrations", "list", "--json"], { pretend: "v22.18.0" });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual(["waygate needs Node.js ≥ 22.22.2 (≥ 24.15.0 on Node 24); this is v22.18.0"]);
  });

  it.each(["v22.22.2", "v22.30.0", "v23.11.0", "v24.15.0", "v25.2.1", "v26.0.0", "v27.1.0-nightly20270101"])("runs on Node %s", async (version) => {
    const result = await launch(["--version"], { pretend: version });
    expect(result.stderr).toBe("");
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  // The machine's own Node, when it is too old (the image this runs on ships Node 20 at /usr/bin/node).
  const systemNode = "/usr/bin/node";
  const systemVersion = existsSync(systemNode) ? spawnSync(systemNode, ["--version"], { encoding: "utf8" }).stdout.trim() : "";
  it.skipIf(!systemVersion || !unsupportedNode(systemVersion))(`refuses the machine's older Node (${systemNode} ${systemVersion}) instead of failing on node:sqlite`, async () => {
    const result = await launch(["integrations", "list"], { node: systemNode });
    expect(result).toEqual({ code: 1, stdout: "", stderr: `waygate needs Node.js ≥ 22.22.2 (≥ 24.15.0 on Node 24); this is ${systemVersion}\n` });
  });

  it("states the same range as package.json engines, whose line minimums are the first releases it lets through", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(NODE_ENGINES);
    expect(NODE_ENGINES.match(/\d+\.\d+\.\d+/g)).toEqual(["22.22.2", "24.15.0", "26.0.0"]);
    expect([unsupportedNode("v22.22.2"), unsupportedNode("v24.15.0"), unsupportedNode("v26.0.0")]).toEqual([null, null, null]);
    expect([unsupportedNode("v22.22.1"), unsupportedNode("v24.14.9")].every((refusal) => refusal !== null)).toBe(true);
  });
});
