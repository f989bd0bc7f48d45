import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contactsIntegration, startRateLimitedUpstream, type RateLimitedUpstream } from "../../../../test/support/rate-limited-upstream.js";
import { startTestServer, type TestServer } from "../../../../test/support/server.js";
import { createContext, type GlobalOptions } from "../../context.js";
import { CliError } from "../../errors.js";
import { createBufferIO } from "../../io.js";
import { run, type RunOptions } from "./run.js";

/** `batch run` against the real server: what it shows on stderr with a terminal, without one, and with --json. */
describe("waygate batch run: output", () => {
  let server: TestServer;
  let upstream: RateLimitedUpstream;
  let file: string;
  const globals: GlobalOptions = { json: false, debug: false, color: false, yes: false, apiUrl: undefined, apiKey: undefined, profile: undefined };

  beforeAll(async () => {
    server = await startTestServer();
    upstream = await startRateLimitedUpstream({ perSecond: 1000, latencyMs: 30 });
    const created = await fetch(`${server.url}/v1/integrations`, { method: "POST", headers: { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" }, body: JSON.stringify(contactsIntegration(upstream.url)) });
    expect(created.status).toBe(201);
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-batch-run-"));
    file = path.join(dir, "items.jsonl");
    writeFileSync(file, Array.from({ length: 20 }, (_, i) => JSON.stringify({ name: i === 4 ? "bad one" : `c ${i}` })).join("\n"));
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  const batchRun = async (tty: boolean, json = false) => {
    const io = createBufferIO({ tty });
    const context = createContext({ io, env: { WAYGATE_CONFIG_DIR: mkdtempSync(path.join(tmpdir(), "waygate-cfg-")), WAYGATE_API_URL: server.url, WAYGATE_API_KEY: server.tenantKey }, globals: { ...globals, json } });
    const options: RunOptions = { integration: "crm", action: "contacts.create", items: file, dryRun: false, detach: false, concurrency: 1 };
    const outcome = await run(context, options).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { io, outcome };
  };

  it("prints plain progress lines without a terminal, and fails (exit 1) naming the failed items", async () => {
    const { io, outcome } = await batchRun(false);
    expect("error" in outcome && outcome.error).toBeInstanceOf(CliError);
    const error = (outcome as { error: CliError }).error;
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/completed_with_errors \(19 succeeded, 1 failed, 0 skipped, 0 cancelled\); see them with `waygate batch results bat_[\w-]+ --failed`/);
    const lines = io.stderr().trim().split("\n");
    expect(lines[0]).toMatch(/^Started batch bat_[\w-]+ \(20 items\)\.$/);
    expect(lines.slice(1).every((line) => /^batch bat_[\w-]+: (queued|running|completed_with_errors) \d+\/20, \d+ failed/.test(line))).toBe(true);
    expect(lines.length).toBeGreaterThan(2);
    expect(io.stderr()).not.toContain("[#");
  });

  it("draws a progress bar on a terminal", async () => {
    const { io } = await batchRun(true);
    expect(io.stderr()).toMatch(/\[[#-]{24}\] \d+\/20/);
    expect(io.stderr()).toContain("completed_with_errors (19 succeeded, 1 failed");
  });

  it("shows no progress with --json", async () => {
    const { io, outcome } = await batchRun(false, true);
    expect("error" in outcome).toBe(true);
    expect(io.stderr()).toBe("");
  });
});
