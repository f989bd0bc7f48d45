import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isolatedEnv } from "../support/cli.js";

const script = fileURLToPath(new URL("../../scripts/quickstart.sh", import.meta.url));

/** Pids of the processes still in process group `pgid`. */
function processGroup(pgid: number): number[] {
  const listing = spawnSync("ps", ["-A", "-o", "pid=,pgid="], { encoding: "utf8" }).stdout;
  return listing
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, group]) => group === pgid && pid !== undefined && !Number.isNaN(pid))
    .map(([pid]) => pid!);
}

describe.skipIf(process.platform === "win32")("scripts/quickstart.sh", () => {
  it("runs the tour quietly, shows the admin key, prints no escapes off a terminal, and leaves nothing of its own running", async () => {
    const work = mkdtempSync(path.join(tmpdir(), "waygate-quickstart-"));
    // A stand-in npm for the build step: it lists chunks as tsup does, and the script must not show them.
    const fakeBin = path.join(work, "bin");
    spawnSync("mkdir", ["-p", fakeBin]);
    writeFileSync(path.join(fakeBin, "npm"), `#!/bin/sh\nfor i in $(seq 1 170); do echo "ESM dist/chunk-$i.js 1.00 KB"; done\n`);
    chmodSync(path.join(fakeBin, "npm"), 0o755);
    const { NO_COLOR: _noColor, ...env } = isolatedEnv({
      WAYGATE_QUICKSTART_DIR: path.join(work, "state"),
      PATH: [fakeBin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
    });

    // Its own process group, so that whatever it leaves behind can be found (and then stopped).
    const child = spawn("bash", [script], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    // "exit", not "close": a process left running would hold the pipes open.
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    const leftover = processGroup(child.pid!);
    if (leftover.length > 0) process.kill(-child.pid!, "SIGKILL");

    expect(code, output).toBe(0);
    expect(leftover, `still running after the quick start: ${leftover.join(", ")}`).toEqual([]);
    const url = /^(http:\/\/127\.0\.0\.1:\d+)$/m.exec(output)?.[1];
    expect(url).toBeDefined();
    await expect(fetch(`${url}/v1/health`)).rejects.toThrow();

    expect(output).toMatch(/shown this once:\nwg_tenant_[\w-]{20,}\n/);
    expect(output).not.toContain("\u001b[");
    expect(output).not.toContain("ESM dist/");
    expect(output).toContain("$ waygate generate\n");
    expect(output).toContain("Done. The server ran on");
  }, 240_000);
});
