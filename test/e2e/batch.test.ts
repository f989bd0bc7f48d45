import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCliServer, startServerProcess, type CliServer } from "../support/cli.js";
import { acceptedOnceSettled, contactsIntegration, startRateLimitedUpstream, type RateLimitedUpstream } from "../support/rate-limited-upstream.js";
import type { Batch, BatchItem } from "../../src/contract/index.js";
import { storeBackends } from "../support/stores.js";

/**
 * The built CLI against the built server as a child process, with a rate-limited upstream:
 * a batch survives `kill -9` of its server mid-run, and malformed files are refused whole.
 */
describe.each(storeBackends)("waygate batch (built CLI and server on %s)", (backend) => {
  let cli: CliServer;
  let upstream: RateLimitedUpstream;
  let dir: string;
  const ITEMS = 150;
  const CONCURRENCY = 4;

  const api = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(url, { method, headers: { authorization: `Bearer ${cli.apiKey}`, ...(body ? { "content-type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    upstream = await startRateLimitedUpstream({ perSecond: 15, latencyMs: 20 });
    cli = await startCliServer(backend);
    await api("POST", `${cli.server.url}/v1/integrations`, contactsIntegration(upstream.url));
    dir = mkdtempSync(path.join(tmpdir(), "waygate-batch-"));
  }, 30_000);
  afterAll(async () => {
    await cli?.stop();
    await upstream?.close();
  });

  it("reports every malformed line with its number and sends nothing", async () => {
    const file = path.join(dir, "broken.jsonl");
    writeFileSync(file, '{"name":"a"}\n{"name":\n{"name":"c"}\n[3]\n');
    const result = await runCli(["batch", "run", "crm", "contacts.create", "--items", file], { env: cli.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("line 2: is not JSON");
    expect(result.stderr).toContain("line 4: is not a JSON object");
    const csv = path.join(dir, "broken.csv");
    writeFileSync(csv, "name,age\nann,1\nbob\n");
    const fromCsv = await runCli(["batch", "run", "crm", "contacts.create", "--items", csv], { env: cli.env });
    expect(fromCsv.code).toBe(2);
    expect(fromCsv.stderr).toContain("line 3: has 1 fields; the header has 2");
    const listed = await runCli(["batch", "list", "--json"], { env: cli.env });
    expect(JSON.parse(listed.stdout)).toMatchObject({ data: [] });
    expect(upstream.accepted.size + upstream.unkeyed).toBe(0);
  });

  it("dry run lists invalid items by index and field; a valid file says so", async () => {
    const file = path.join(dir, "invalid.csv");
    writeFileSync(file, "name,age\nann,1\nbob,old\n");
    const result = await runCli(["batch", "run", "crm", "contacts.create", "--items", file, "--dry-run"], { env: cli.env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("items.1.input.age");
    writeFileSync(file, "name,age\nann,1\nbob,2\n");
    const valid = await runCli(["batch", "run", "crm", "contacts.create", "--items", file, "--dry-run"], { env: cli.env });
    expect(valid.stdout).toContain("All 2 items are valid");
  });

  it("finishes a batch after its server is killed with -9 mid-run: nothing lost, nothing created twice", async () => {
    const file = path.join(dir, "items.jsonl");
    writeFileSync(file, Array.from({ length: ITEMS }, (_, i) => JSON.stringify({ name: i % 25 === 7 ? `bad ${i}` : `contact ${i}` })).join("\n") + "\n");
    const started = await runCli(["batch", "run", "crm", "contacts.create", "--items", file, "--concurrency", String(CONCURRENCY), "--detach", "--json"], { env: cli.env });
    expect(started.code, started.stderr).toBe(0);
    const id = (JSON.parse(started.stdout) as Batch).id;

    // Let it get going, then kill the server without warning.
    for (;;) {
      const batch = (await api("GET", `${cli.server.url}/v1/batches/${id}`)) as unknown as Batch;
      if (batch.counts.succeeded + batch.counts.failed >= 30) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await cli.server.stop("SIGKILL");
    // Requests the dead server had already written may still be read by the upstream (a loaded
    // machine lags): what was sent before the kill is what the upstream saw once it settled.
    const sentBeforeKill = await acceptedOnceSettled(upstream);
    expect(sentBeforeKill.size).toBeLessThan(ITEMS);

    // A new server on the same database takes the job over once the dead one's lease (30 s) expires.
    const server = await startServerProcess([...cli.database.args, "--allow-loopback-upstreams"], cli.env);
    cli.server = server;
    const env = { ...cli.env, WAYGATE_API_URL: server.url };
    const watched = await runCli(["batch", "watch", id], { env, timeoutMs: 120_000 });
    expect(watched.code, watched.stderr).toBe(1); // completed with errors: the "bad" items
    expect(watched.stderr).toMatch(new RegExp(`batch ${id}: completed_with_errors \\(144 succeeded, 6 failed`));

    const lines = (await runCli(["batch", "results", id, "--format", "jsonl"], { env })).stdout.trim().split("\n");
    const items = lines.map((line) => JSON.parse(line) as BatchItem);
    expect(items.map((item) => item.seq)).toEqual(Array.from({ length: ITEMS }, (_, i) => i));
    for (const item of items) {
      const key = `batch:${id}:${item.seq}`;
      expect(item.state, `item ${item.seq}`).toBe(item.seq % 25 === 7 ? "failed" : "succeeded");
      // The upstream created every good contact exactly once, whatever was in flight at the kill.
      if (item.state === "succeeded") expect(upstream.created.get(key), key).toBe(1);
    }
    // Sent twice: only items that were in flight when the server died, and with the same key.
    const twice = [...upstream.accepted.entries()].filter(([, count]) => count > 1);
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY);
    for (const [key] of twice) expect(sentBeforeKill.has(key)).toBe(true);
    expect(upstream.unkeyed).toBe(0);

    const failed = await runCli(["batch", "results", id, "--failed", "--format", "csv"], { env });
    const rows = failed.stdout.trim().split("\n");
    expect(rows[0]).toBe("seq,state,upstreamStatus,attempts,connection,idempotencyKey,error,result");
    expect(rows.slice(1).map((row) => Number(row.split(",")[0]))).toEqual([7, 32, 57, 82, 107, 132]);
    expect(rows[1]).toContain(",failed,422,");
  }, 150_000);
});

