import { sql, type Kysely } from "kysely";
import type { Job, JobProgress, JobStatus, JobType, Page, Problem } from "../contract/index.js";
import type { Dialect } from "./database.js";
import { newId } from "./ids.js";
import { decodeCursor, encodeCursor } from "./paging.js";
import type { Database, JobTable } from "./schema.js";

/** A claimed job, as its handler sees it. */
export interface ClaimedJob {
  id: string;
  tenantId: string;
  type: JobType;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}

export interface HeartbeatAnswer {
  /** Someone asked to cancel: the handler should stop. */
  cancelRequested: boolean;
  /** The lease is no longer ours (it expired and another worker took the job): stop without writing. */
  lost: boolean;
}

/**
 * The durable job queue in the Waygate database. Workers claim jobs with a lease and
 * renew it by heartbeat; a job whose lease expires (its worker died) is claimed again,
 * so nothing hangs across a crash or restart. Claiming is one UPDATE … RETURNING, with
 * `FOR UPDATE SKIP LOCKED` on Postgres so concurrent workers never take the same job.
 */
export class JobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly now: () => Date,
  ) {}

  async enqueue(input: { tenantId: string; type: JobType; summary: string; payload: unknown; maxAttempts?: number }): Promise<Job> {
    const now = this.now().toISOString();
    const row: JobTable = {
      id: newId("job"),
      tenant_id: input.tenantId,
      type: input.type,
      status: "queued",
      summary: input.summary,
      payload: JSON.stringify(input.payload),
      progress: null,
      result: null,
      error: null,
      attempts: 0,
      max_attempts: input.maxAttempts ?? 3,
      cancel_requested: 0,
      run_after: now,
      lease_owner: null,
      lease_expires_at: null,
      created_at: now,
      updated_at: now,
      started_at: null,
      finished_at: null,
    };
    await this.db.insertInto("jobs").values(row).execute();
    return toJob(row);
  }

  /** Takes the oldest runnable job (queued and due, or running with an expired lease). */
  async claim(owner: string, leaseMs: number): Promise<ClaimedJob | undefined> {
    const now = this.now();
    const nowIso = now.toISOString();
    const runnable = this.db
      .selectFrom("jobs")
      .select("id")
      .where((eb) =>
        eb.or([
          eb.and([eb("status", "=", "queued"), eb("run_after", "<=", nowIso)]),
          eb.and([eb("status", "=", "running"), eb("lease_expires_at", "<", nowIso)]),
        ]),
      )
      .orderBy("created_at")
      .orderBy("id")
      .limit(1)
      .$if(this.dialect === "postgres", (query) => query.forUpdate().skipLocked());
    const row = await this.db
      .updateTable("jobs")
      .set((eb) => ({
        status: "running",
        lease_owner: owner,
        lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
        attempts: eb("attempts", "+", 1),
        started_at: sql<string>`coalesce(started_at, ${nowIso})`,
        updated_at: nowIso,
      }))
      .where("id", "=", runnable)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      type: row.type as JobType,
      payload: JSON.parse(row.payload),
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
    };
  }

  /** Renews the lease and records progress. */
  async heartbeat(id: string, owner: string, leaseMs: number, progress?: JobProgress): Promise<HeartbeatAnswer> {
    const now = this.now();
    const row = await this.db
      .updateTable("jobs")
      .set({
        lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
        updated_at: now.toISOString(),
        ...(progress ? { progress: JSON.stringify(progress) } : {}),
      })
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .where("status", "=", "running")
      .returning("cancel_requested")
      .executeTakeFirst();
    return { cancelRequested: row?.cancel_requested === 1, lost: row === undefined };
  }

  async succeed(id: string, owner: string, result: unknown): Promise<void> {
    await this.finish(id, owner, { status: "succeeded", result: JSON.stringify(result) });
  }

  async fail(id: string, owner: string, error: Problem): Promise<void> {
    await this.finish(id, owner, { status: "failed", error: JSON.stringify(error) });
  }

  async markCancelled(id: string, owner: string): Promise<void> {
    await this.finish(id, owner, { status: "cancelled" });
  }

  /** Puts a job back in the queue, to run again after `runAfter` (a retry, or a worker shutting down). */
  async requeue(id: string, owner: string, options: { runAfter: Date; countAttempt: boolean; error?: Problem }): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set((eb) => ({
        status: "queued",
        lease_owner: null,
        lease_expires_at: null,
        run_after: options.runAfter.toISOString(),
        updated_at: this.now().toISOString(),
        ...(options.countAttempt ? {} : { attempts: eb("attempts", "-", 1) }),
        ...(options.error ? { error: JSON.stringify(options.error) } : {}),
      }))
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .execute();
  }

  /** Cancels a queued job at once; asks a running one to stop. Finished jobs are left as they are. */
  async cancel(tenantId: string, id: string): Promise<Job | undefined> {
    const now = this.now().toISOString();
    await this.db
      .updateTable("jobs")
      .set({ status: "cancelled", finished_at: now, updated_at: now, cancel_requested: 1 })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .where("status", "=", "queued")
      .execute();
    await this.db
      .updateTable("jobs")
      .set({ cancel_requested: 1, updated_at: now })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .where("status", "=", "running")
      .execute();
    return this.get(tenantId, id);
  }

  async get(tenantId: string, id: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom("jobs").select(JOB_COLUMNS).where("tenant_id", "=", tenantId).where("id", "=", id).executeTakeFirst();
    return row && toJob(row);
  }

  /** Newest first. */
  async list(tenantId: string, options: { limit: number; cursor?: string | undefined; status?: JobStatus | undefined }): Promise<Page<Job>> {
    let query = this.db
      .selectFrom("jobs")
      .select(JOB_COLUMNS)
      .where("tenant_id", "=", tenantId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(options.limit + 1);
    if (options.status) query = query.where("status", "=", options.status);
    if (options.cursor) {
      const [createdAt = "", id = ""] = decodeCursor(options.cursor).split("|");
      query = query.where((eb) => eb.or([eb("created_at", "<", createdAt), eb.and([eb("created_at", "=", createdAt), eb("id", "<", id)])]));
    }
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      data: page.map(toJob),
      nextCursor: rows.length > options.limit && last ? encodeCursor(`${last.created_at}|${last.id}`) : null,
    };
  }

  private async finish(id: string, owner: string, change: Partial<JobTable>): Promise<void> {
    const now = this.now().toISOString();
    await this.db
      .updateTable("jobs")
      .set({ ...change, lease_owner: null, lease_expires_at: null, finished_at: now, updated_at: now })
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .execute();
  }
}

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/**
 * What a job shows: every column but the payload, which can hold a whole uploaded
 * document (GitHub's spec: 12 MB) and would be read on every `jobs watch` poll.
 */
const JOB_COLUMNS = [
  "id",
  "type",
  "status",
  "summary",
  "progress",
  "result",
  "error",
  "attempts",
  "max_attempts",
  "cancel_requested",
  "created_at",
  "updated_at",
  "started_at",
  "finished_at",
] as const satisfies readonly (keyof JobTable)[];

function toJob(row: Pick<JobTable, (typeof JOB_COLUMNS)[number]>): Job {
  return {
    id: row.id,
    type: row.type as JobType,
    status: row.status,
    summary: row.summary,
    progress: parse<JobProgress>(row.progress),
    result: parse<unknown>(row.result),
    error: parse<Problem>(row.error),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    cancelRequested: row.cancel_requested === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
