import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema, KEPT_SCHEDULE_RUNS, type Job } from "../contract/index.js";
import { contentHash } from "../lib/canonical-json.js";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { createSchedule, resumeSchedule, scheduleEnqueuer } from "../services/schedules.js";
import { Store, type DueSchedule } from "../store/index.js";
import { Scheduler } from "./scheduler.js";
import { EmbeddedJobBackend, type JobQueue } from "./queue.js";

const HOUR = 3_600_000;
const T0 = new Date("2026-12-01T00:00:00.000Z");

/**
 * The scheduler against the real store on each backend, with a clock the test moves: runs
 * are jobs, missed runs collapse into one, pause and resume, and several schedulers on one
 * database (several servers) fire each occurrence exactly once.
 */
describe.each(storeBackends)("scheduler on %s", (backend) => {
  let store: Store;
  let opened: Awaited<ReturnType<typeof openTestStore>>;
  let tenantId: string;
  let now: Date;
  const clock = () => now;
  const enqueued: string[] = [];

  beforeEach(async () => {
    opened = await openTestStore(backend);
    store = opened.store;
    tenantId = (await store.tenants.create("Acme")).id;
    // Scheduled imports re-import an integration that exists.
    for (const slug of ["todo", "a"]) {
      const definition = IntegrationDefinitionSchema.parse({ slug, name: slug, baseUrl: "https://api.example.com", actions: [] });
      await store.versions.save(tenantId, definition, { contentHash: contentHash(definition), createdBy: "test" });
    }
    now = T0;
    enqueued.length = 0;
  });
  afterEach(async () => opened.dispose());

  const hourly = async (name = "hourly-import", every = HOUR) => {
    const created = await createSchedule(store, { tenantId, name, jobType: "import", payload: { url: "https://docs.example.com/openapi.json", slug: "todo" }, timing: { everyMs: every } }, now);
    if (created.kind !== "created") throw new Error(JSON.stringify(created));
    return created.schedule;
  };
  /** The embedded queue, noting each job handed to it (the scheduler enqueues through the queue, never the store). */
  const recordingQueue = (on: Store): JobQueue => {
    const queue = new EmbeddedJobBackend(on).queue;
    return { enqueue: async (job) => { const recorded = await queue.enqueue(job); enqueued.push(recorded.type); return recorded; }, cancel: (tenant, id) => queue.cancel(tenant, id) };
  };
  const scheduler = (on: Store = store) =>
    new Scheduler({ store: on, now: clock, fire: scheduleEnqueuer(on, { allowPrivateImports: false, jobs: recordingQueue(on) }) });
  const jobCount = async () => (await store.jobs.list(tenantId, { limit: 200 })).data.length;

  it("fires nothing before the first run is due, then one queued import job, linked to the schedule", async () => {
    const schedule = await hourly();
    expect(schedule.nextRunAt).toBe("2026-12-01T01:00:00.000Z");
    const s = scheduler();
    now = new Date(T0.getTime() + HOUR - 1);
    expect(await s.tick()).toBe(0);
    now = new Date(T0.getTime() + HOUR);
    expect(await s.tick()).toBe(1);
    expect(await s.tick()).toBe(0);
    const detail = await store.schedules.detail(tenantId, schedule.id);
    expect(detail).toMatchObject({ lastRunAt: now.toISOString(), nextRunAt: "2026-12-01T02:00:00.000Z", lastError: null, runs: [{ scheduledFor: "2026-12-01T01:00:00.000Z" }] });
    const job = detail!.runs[0]!.job as Job;
    expect(job).toMatchObject({ id: detail!.lastJobId, type: "import", status: "queued", summary: "import https://docs.example.com/openapi.json as todo" });
    expect(enqueued).toEqual(["import"]);
  });

  it("runs a schedule missed three times while no scheduler ran once, and keeps its phase", async () => {
    const schedule = await hourly();
    now = new Date(T0.getTime() + 3.5 * HOUR); // due at 1:00, 2:00 and 3:00
    const s = scheduler();
    expect(await s.tick()).toBe(1);
    expect(await s.tick()).toBe(0);
    expect(await jobCount()).toBe(1);
    const detail = await store.schedules.detail(tenantId, schedule.id);
    expect(detail).toMatchObject({ nextRunAt: "2026-12-01T04:00:00.000Z", runs: [{ scheduledFor: "2026-12-01T01:00:00.000Z" }] });
    expect(detail!.runs).toHaveLength(1);
  });

  it("fires a cron schedule at its occurrences in its time zone", async () => {
    const created = await createSchedule(store, { tenantId, name: "paris-morning", jobType: "import", payload: { url: "https://docs.example.com/a.json", slug: "a" }, timing: { cron: "0 9 * * *", timezone: "Europe/Paris" } }, now);
    expect(created).toMatchObject({ kind: "created", schedule: { cron: "0 9 * * *", timezone: "Europe/Paris", nextRunAt: "2026-12-01T08:00:00.000Z", intervalMs: null } });
    now = new Date("2026-12-03T12:00:00.000Z"); // two mornings missed
    expect(await scheduler().tick()).toBe(1);
    expect(await store.schedules.get(tenantId, "paris-morning")).toMatchObject({ nextRunAt: "2026-12-04T08:00:00.000Z" });
  });

  it("stops firing while paused, and on resume runs from now on without the runs missed meanwhile", async () => {
    const schedule = await hourly();
    const paused = await store.schedules.pause(tenantId, schedule.name);
    expect(paused).toMatchObject({ paused: true, nextRunAt: null });
    now = new Date(T0.getTime() + 5 * HOUR);
    expect(await scheduler().tick()).toBe(0);
    now = new Date(T0.getTime() + 5.25 * HOUR);
    const resumed = await resumeSchedule(store, tenantId, schedule.id, now);
    expect(resumed).toMatchObject({ paused: false, nextRunAt: new Date(now.getTime() + HOUR).toISOString() });
    expect(await scheduler().tick()).toBe(0);
    now = new Date(T0.getTime() + 6.25 * HOUR);
    expect(await scheduler().tick()).toBe(1);
    expect(await jobCount()).toBe(1);
  });

  it("records why a run could not enqueue its job, and fires again at the next occurrence", async () => {
    const schedule = await hourly();
    let fail = true;
    const fire = scheduleEnqueuer(store, { allowPrivateImports: false, jobs: new EmbeddedJobBackend(store).queue });
    const flaky = new Scheduler({ store, now: clock, fire: async (due: DueSchedule) => (fail ? Promise.reject(new Error("the database said no")) : fire(due)) });
    now = new Date(T0.getTime() + HOUR);
    expect(await flaky.tick()).toBe(1);
    expect(await store.schedules.get(tenantId, schedule.id)).toMatchObject({ lastError: "the database said no", lastJobId: null, nextRunAt: "2026-12-01T02:00:00.000Z" });
    fail = false;
    now = new Date(T0.getTime() + 2 * HOUR);
    expect(await flaky.tick()).toBe(1);
    expect(await store.schedules.get(tenantId, schedule.id)).toMatchObject({ lastError: null, lastJobId: expect.stringMatching(/^job_/) });
  });

  it("re-imports only an integration that exists: refused at creation, and a run after its deletion records why", async () => {
    const refused = await createSchedule(store, { tenantId, name: "nope", jobType: "import", payload: { url: "https://docs.example.com/x.json", slug: "nope" }, timing: { everyMs: HOUR } }, now);
    expect(refused).toMatchObject({ kind: "invalid", errors: [{ field: "payload.slug", message: expect.stringContaining("there is no integration nope to re-import") }] });
    const schedule = await hourly();
    await store.integrations.delete(tenantId, "todo");
    now = new Date(T0.getTime() + HOUR);
    expect(await scheduler().tick()).toBe(1);
    expect(await store.schedules.get(tenantId, schedule.id)).toMatchObject({ lastError: expect.stringContaining("there is no integration todo to re-import"), lastJobId: null, nextRunAt: "2026-12-01T02:00:00.000Z" });
    expect(await jobCount()).toBe(0);
  });

  it("keeps one schedule's failure to itself: the others due with it fire", async () => {
    const good = await hourly();
    // Rows no creation path writes (a job type taken off the schedulable list, a broken interval): they fail alone.
    const base = { tenantId, payload: {}, nextRunAt: new Date(T0.getTime() + HOUR), createdBy: null };
    await store.schedules.create({ ...base, name: "was-schedulable", jobType: "batch", timing: { kind: "interval", intervalMs: HOUR } });
    await store.schedules.create({ ...base, name: "broken-interval", jobType: "import", timing: { kind: "interval", intervalMs: 0 } });
    now = new Date(T0.getTime() + HOUR);
    expect(await scheduler().tick()).toBe(2);
    expect(await store.schedules.get(tenantId, good.id)).toMatchObject({ lastError: null, lastJobId: expect.stringMatching(/^job_/) });
    expect(await store.schedules.get(tenantId, "was-schedulable")).toMatchObject({ lastError: "batch jobs are not schedulable on this server", nextRunAt: "2026-12-01T02:00:00.000Z" });
    expect(await store.schedules.get(tenantId, "broken-interval")).toMatchObject({ lastError: expect.stringContaining("cannot be computed"), nextRunAt: null });
    expect(await jobCount()).toBe(1);
  });

  it(`keeps the ${KEPT_SCHEDULE_RUNS} most recent runs`, async () => {
    const schedule = await hourly();
    const s = scheduler();
    for (let hour = 1; hour <= KEPT_SCHEDULE_RUNS + 3; hour++) {
      now = new Date(T0.getTime() + hour * HOUR);
      expect(await s.tick()).toBe(1);
    }
    const detail = await store.schedules.detail(tenantId, schedule.id);
    expect(detail!.runs).toHaveLength(KEPT_SCHEDULE_RUNS);
    expect(detail!.runs[0]!.scheduledFor).toBe(new Date(T0.getTime() + (KEPT_SCHEDULE_RUNS + 3) * HOUR).toISOString());
    expect(await jobCount()).toBe(KEPT_SCHEDULE_RUNS + 3);
  });

  it("fires each occurrence once when two schedulers on one database (two servers) tick at the same time", async () => {
    // On Postgres a second Store on the same database: its own connection pool, as another
    // process has. node:sqlite is synchronous, so a second connection in this process would
    // block the event loop waiting for the first one's lock: there both schedulers share one
    // connection (their ticks still interleave at every await; other processes on the file
    // are serialised by SQLite's single writer).
    const other = backend === "postgres" ? await Store.open(opened.location, { sealer: opened.sealer }) : store;
    try {
      const schedules = 12;
      const occurrences = 4;
      for (let i = 0; i < schedules; i++) await hourly(`schedule-${i}`);
      const [a, b] = [scheduler(store), scheduler(other)];
      let firedByA = 0;
      let firedByB = 0;
      for (let hour = 1; hour <= occurrences; hour++) {
        now = new Date(T0.getTime() + hour * HOUR);
        const [fromA, fromB] = await Promise.all([a.tick(), b.tick()]);
        firedByA += fromA;
        firedByB += fromB;
      }
      expect(firedByA + firedByB).toBe(schedules * occurrences);
      expect(await jobCount()).toBe(schedules * occurrences);
      for (let i = 0; i < schedules; i++) {
        const runs = (await store.schedules.detail(tenantId, `schedule-${i}`))!.runs.map((run) => run.scheduledFor);
        expect(new Set(runs).size, `schedule-${i}`).toBe(occurrences);
      }
    } finally {
      if (other !== store) await other.close();
    }
  });
});
