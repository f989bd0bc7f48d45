import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCliServer, type ServerProcess } from "../support/cli.js";
import type { TestDatabase } from "../support/stores.js";
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from "../support/webhook-receiver.js";

function spec(withGet: boolean): Record<string, unknown> {
  const todo = { type: "object", properties: { id: { type: "integer" }, title: { type: "string" } } };
  const ok = (schema: unknown) => ({ "200": { description: "OK", content: { "application/json": { schema } } } });
  return {
    openapi: "3.1.0",
    info: { title: "Todo API", version: "1" },
    servers: [{ url: "https://todo.example.com" }],
    paths: {
      "/todos": { get: { operationId: "listTodos", responses: ok({ type: "array", items: todo }) } },
      ...(withGet ? { "/todos/{id}": { get: { operationId: "getTodo", parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }], responses: ok(todo) } } } : {}),
    },
  };
}

/** `drift`, `proposals` and `alerts` through the built CLI against a server process. */
describe("drift, proposals and alerts through the built CLI", () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    ({ database, server, env } = await startCliServer());
    receiver = await startWebhookReceiver();
    work = mkdtempSync(path.join(tmpdir(), "waygate-drift-"));
    writeFileSync(path.join(work, "a.json"), JSON.stringify(spec(true)));
    writeFileSync(path.join(work, "b.json"), JSON.stringify(spec(false)));
    const imported = await runCli(["scrape", path.join(work, "a.json"), "--slug", "todo"], { env });
    expect(imported.code, imported.stderr).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    await receiver?.close();
  });

  it("checks a local file in CI, approves the proposal, and sends signed alerts", async () => {
    const noSource = await runCli(["drift", "check", "todo"], { env });
    expect(noSource.code).not.toBe(0);
    expect(noSource.stderr).toContain("--source");

    const added = await runCli(["alerts", "add-webhook", receiver.url, "--events", "drift.detected,proposal.approved"], { env });
    expect(added.code, added.stderr).toBe(0);
    const secret = added.stdout.trim();
    expect(secret).toMatch(/^whsec_/);
    expect(added.stderr).toContain("not shown again");

    const drifted = await runCli(["drift", "check", "todo", "--source", path.join(work, "b.json"), "--fail-on-breaking"], { env });
    expect(drifted.code, drifted.stderr).toBe(5);
    expect(drifted.stdout).toMatch(/! getTodo: getTodo removed .*\[[0-9a-f]{24}\]/);
    expect(drifted.stderr).toContain("waygate proposals approve");

    const proposals = await runCli(["proposals", "list", "--status", "open", "--json"], { env });
    const [proposal] = (JSON.parse(proposals.stdout) as { data: Array<{ id: string; version: number }> }).data;
    expect(proposal).toMatchObject({ version: 2 });

    const refused = await runCli(["proposals", "approve", proposal!.id], { env });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain("--allow-breaking");
    const approved = await runCli(["proposals", "approve", proposal!.id, "--allow-breaking", "--note", "getTodo is gone upstream"], { env });
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain("is approved by key:");
    expect(approved.stdout).toContain("getTodo is gone upstream");
    const again = await runCli(["proposals", "approve", proposal!.id, "--allow-breaking"], { env });
    expect(again.code).toBe(5);
    const history = await runCli(["versions", "history", "todo"], { env });
    expect(history.stdout).toMatch(/proposal-approved\s+2\s+key:\S+\s+getTodo is gone upstream/);

    const quiet = await runCli(["drift", "check", "todo", "--source", path.join(work, "b.json")], { env });
    expect(quiet.stdout).toContain("No drift");

    const list = await runCli(["alerts", "list", "--json"], { env });
    const [hook] = (JSON.parse(list.stdout) as { data: Array<{ id: string }> }).data;
    const tested = await runCli(["alerts", "test", hook!.id], { env });
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain("answered 204");
    const types = receiver.received.map((webhook) => (JSON.parse(webhook.body) as { type: string }).type);
    expect(types).toEqual(expect.arrayContaining(["drift.detected", "proposal.approved", "alert.test"]));
    for (const webhook of receiver.received) expect(verifyStandardWebhook(secret, webhook)).toBe(true);

    const schedule = await runCli(["drift", "schedule", "todo", "--every", "24h"], { env });
    expect(schedule.code, schedule.stderr).toBe(0);
    expect(schedule.stdout).toMatch(/^todo is checked for drift every 1d; next at \d{4}-/);
    // The schedule is an ordinary one: `waygate schedules` lists it with its job type.
    const listed = await runCli(["schedules", "list", "--json"], { env });
    expect((JSON.parse(listed.stdout) as { data: Array<{ name: string; jobType: string }> }).data).toEqual([expect.objectContaining({ name: "drift:todo", jobType: "drift_check" })]);

    const removed = await runCli(["alerts", "remove", hook!.id], { env });
    expect(removed.code, removed.stderr).toBe(0);
    expect((await runCli(["alerts", "list"], { env })).stdout).toContain("No alert webhooks");
  });
});
