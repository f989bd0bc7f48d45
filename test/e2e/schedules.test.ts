import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { BIN, runCli, startCliServer, type CliServer } from "../support/cli.js";
import { createSchedule } from "../../src/services/schedules.js";
import { Store } from "../../src/store/index.js";
import type { ScheduleDetail } from "../../src/contract/index.js";

/** `waygate schedules …` through the built CLI against the built server (its scheduler included). */
describe("waygate schedules (built CLI and server)", () => {
  let cli: CliServer;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(cli.server.url + path, {
      method,
      headers: { authorization: `Bearer ${cli.apiKey}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const waygate = (...args: string[]) => runCli(["schedules", ...args], { env: cli.env });

  beforeAll(async () => {
    cli = await startCliServer("sqlite");
    // Scheduled imports re-import integrations that exist.
    for (const slug of ["crm", "often", "w"]) {
      const created = await api("POST", "/v1/integrations", { slug, name: slug, baseUrl: "https://api.example.com", actions: [] });
      expect(created.status).toBe(201);
    }
  }, 30_000);
  afterAll(async () => cli?.stop());

  it("lists, shows, pauses, resumes and deletes schedules, with tables, --json and exit codes", async () => {
    const empty = await waygate("list");
    expect(empty).toMatchObject({ code: 0, stdout: "No schedules.\n" });

    const payload = { url: "https://docs.example.com/openapi.json", slug: "crm" };
    expect((await api("POST", "/v1/schedules", { name: "nightly", jobType: "import", payload, cron: "0 3 * * *", timezone: "Europe/Paris" })).status).toBe(201);
    const hourly = await api("POST", "/v1/schedules", { name: "hourly", jobType: "import", payload, every: "1h" });
    expect(hourly.status).toBe(201);

    const listed = await waygate("list");
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+ID\s+JOB\s+WHEN\s+NEXT RUN\s+LAST RUN$/);
    expect(lines[1]).toMatch(new RegExp(`^hourly\\s+${hourly.json["id"] as string}\\s+import\\s+every 1h\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+never$`));
    expect(lines[2]).toMatch(/^nightly\s+sch_\S+\s+import\s+cron 0 3 \* \* \* \(Europe\/Paris\)/);
    const asJson = await waygate("list", "--json");
    expect(JSON.parse(asJson.stdout)).toMatchObject({ data: [{ name: "hourly", every: "1h" }, { name: "nightly", cron: "0 3 * * *" }], nextCursor: null });

    const shown = await waygate("show", "nightly");
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/Schedule:\s+nightly/);
    expect(shown.stdout).toMatch(/Runs:\s+import job cron 0 3 \* \* \* \(Europe\/Paris\)/);
    expect(shown.stdout).toMatch(/Last run:\s+never/);
    expect(shown.stdout).toContain("No runs yet.");

    const paused = await waygate("pause", "nightly");
    expect(paused).toMatchObject({ code: 0, stdout: "Paused nightly: it fires no more until resumed.\n" });
    expect((await waygate("list")).stdout).toMatch(/nightly\s+sch_\S+\s+import\s+cron .*\s+paused\s+never/);
    const resumed = await waygate("resume", "nightly");
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^Resumed nightly: next run \d{4}-\d\d-\d\d 0[12]:00:00\.\n$/); // 03:00 in Paris is 01:00 or 02:00 UTC

    const missing = await waygate("show", "no-such-schedule");
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("schedule no-such-schedule not found");
    const missingJson = await waygate("pause", "no-such-schedule", "--json");
    expect(missingJson.code).toBe(3);
    expect(JSON.parse(missingJson.stderr)).toMatchObject({ status: 404, detail: "schedule no-such-schedule not found" });

    const unconfirmed = await waygate("delete", "hourly");
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("confirm with --yes");
    const deleted = await runCli(["schedules", "delete", "hourly", "--yes"], { env: cli.env });
    expect(deleted).toMatchObject({ code: 0, stdout: `Deleted schedule hourly (${hourly.json["id"] as string}).\n` });
    expect((await waygate("show", "hourly")).code).toBe(3);
  });

  it("shows the jobs a schedule's runs created", async () => {
    // A feature's schedule, sub-second for the test, created beside the running server.
    const store = await Store.open(cli.database.location);
    try {
      const me = (await api("GET", "/v1/me")).json as { tenant: { id: string } };
      const created = await createSchedule(store, { tenantId: me.tenant.id, name: "often", jobType: "import", payload: { url: "https://docs.example.com/often.json", slug: "often" }, timing: { everyMs: 200 }, minIntervalMs: 1 });
      expect(created.kind).toBe("created");
    } finally {
      await store.close();
    }
    // The server's scheduler looks every 5 s.
    const deadline = Date.now() + 15_000;
    let detail: ScheduleDetail;
    for (;;) {
      detail = JSON.parse((await waygate("show", "often", "--json")).stdout) as ScheduleDetail;
      if (detail.runs.length > 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(detail.runs.length).toBeGreaterThan(0);
    await api("POST", `/v1/schedules/often/pause`);
    const shown = await waygate("show", "often");
    expect(shown.stdout).toContain("Recent runs:");
    expect(shown.stdout).toMatch(/JOB\s+STATUS\s+DUE\s+FIRED\s+SUMMARY/);
    expect(shown.stdout).toContain(`${detail.runs.at(-1)!.jobId}`);
    expect(shown.stdout).toContain("import https://docs.example.com/often.json as often");
  });

  it("fires schedules from a `server worker` process too", async () => {
    await cli.server.stop(); // the worker is the only process on the database now
    const store = await Store.open(cli.database.location);
    try {
      const me = (await store.keys.authenticate(cli.apiKey))!;
      // Due since an hour: the worker fires it as it starts.
      const created = await createSchedule(store, { tenantId: me.tenantId, name: "worker-fired", jobType: "import", payload: { url: "https://docs.example.com/w.json", slug: "w" }, timing: { everyMs: 3_600_000 } }, new Date(Date.now() - 3_600_000));
      expect(created.kind).toBe("created");
      const worker = spawn(process.execPath, [BIN, "server", "worker", "--log-format", "json", ...cli.database.args], { env: cli.env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      worker.stdout.on("data", (chunk) => (stdout += chunk));
      const exited = new Promise<number | null>((resolve) => worker.on("close", resolve));
      try {
        const deadline = Date.now() + 15_000;
        while (!stdout.includes('"schedule fired"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        worker.kill("SIGTERM");
      }
      expect(await exited).toBe(0);
      const fired = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === "schedule fired");
      expect(fired, stdout).toMatchObject({ jobType: "import", jobId: expect.stringMatching(/^job_/) });
      const detail = await store.schedules.detail(me.tenantId, "worker-fired");
      expect(detail!.runs.map((run) => run.jobId)).toEqual([fired!["jobId"]]);
    } finally {
      await store.close();
    }
  });
});
