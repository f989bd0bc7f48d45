import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli, startCliServer, type CliResult, type CliServer } from "../support/cli.js";

const githubSpec = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
// util-linux `script` runs a command on a pseudo-terminal, whose width `stty` sets.
const hasScript = process.platform === "linux" && existsSync("/usr/bin/script");

/** The built CLI on a terminal `columns` wide; output lines as the terminal got them. */
function onTerminal(args: string[], columns: number, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  const command = `stty cols ${columns} rows 50; ${[process.execPath, BIN, ...args].map(quote).join(" ")}`;
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/script", ["-qec", command, "/dev/null"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    // Whole characters: a chunk may end inside the three bytes of "…".
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: stdout.replaceAll("\r\n", "\n"), stderr }));
  });
}

describe.skipIf(!hasScript)("list tables on a terminal, for the GitHub REST API (1,000+ actions)", () => {
  let cli: CliServer;

  beforeAll(async () => {
    cli = await startCliServer();
    const scrape = await runCli(["scrape", githubSpec, "--slug", "github"], { env: cli.env, timeoutMs: 60_000 });
    expect(scrape.code, scrape.stderr).toBe(0);
  }, 90_000);
  afterAll(async () => cli?.stop());

  it.each([80, 120])("fits every row of `actions list --all` in %i columns, cutting paths and summaries with …", async (columns) => {
    const result = await onTerminal(["actions", "list", "github", "--all"], columns, { ...cli.env, NO_COLOR: "1" });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(1000);
    expect(lines[0]).toMatch(/^ACTION\s+METHOD\s+PATH\s+SUMMARY$/);
    const tooWide = lines.filter((line) => Array.from(line).length > columns);
    expect(tooWide, tooWide.slice(0, 3).join("\n")).toEqual([]);
    expect(lines.filter((line) => line.includes("…")).length).toBeGreaterThan(100);
    // Action names, which the next command takes, are cut last: whole at 120 columns.
    if (columns >= 120) expect(result.stdout).toMatch(/^actions\.addCustomLabelsToSelfHostedRunnerForOrg +POST /m);
  });

  it("keeps every value whole when piped, and with --json", async () => {
    const piped = await runCli(["actions", "list", "github", "--all"], { env: cli.env });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).not.toContain("…");
    expect(piped.stdout).toContain("/orgs/{org}/actions/runners/{runner_id}/labels");
    const json = await runCli(["actions", "list", "github", "--all", "--json"], { env: cli.env });
    expect((JSON.parse(json.stdout) as { data: unknown[] }).data.length).toBe(piped.stdout.trimEnd().split("\n").length - 1);
  });
});
