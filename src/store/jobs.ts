import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import type { Job, JobProgress, JobStatus, JobType, Page, Problem } from "../contract/index.js";
import type { Dialect } from "./database.js";
import { newId } from "./ids.js";
import { JobDocuments } from "./job-documents.js";
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

export interface ClaimOptions {
  /** A tenant with this many running jobs gets no more. Default: no cap. */
  tenantCap?: number;
  /**
   * Counts against `tenantCap` only the tenant's jobs the claimer itself runs (each worker keeps
   * slots for other tenants) instead of every worker's on the database (a quota for the fleet).
   */
  capPerWorker?: boolean;
  /** Only this tenant's jobs (a tenant's own `POST /v1/jobs/tick`). Default: every tenant's. */
  tenantId?: string;
}

/**
 * What `take` did: took the job; found it ended (cancelled while queued, or a stale delivery
 * of a finished one); or left it, because its tenant already runs as many jobs as the cap allows.
 */
export type JobTake = { kind: "taken"; job: ClaimedJob } | { kind: "ended" } | { kind: "tenant-at-cap" };

/** A job id before its job is enqueued: an upload is stored under it first. */
export function newJobId(): string {
  return newId("job");
}

/** What a job's payload becomes once the job has ended: the input is no longer needed. */
const DROPPED_PAYLOAD = "null";

/**
 * The durable job queue in the Waygate database. Workers claim jobs with a lease and
 * renew it by heartbeat; a job whose lease expires (its worker died) is claimed again,
 * so nothing hangs across a crash or restart.
 *
 * Claiming is fair between tenants: the next job is the oldest runnable one among the
 * tenants with the fewest running jobs, and a tenant at its cap (over every worker, or over
 * the claimer's own jobs: `ClaimOptions`) gets none. On Postgres
 * claims are serialised by a transaction-scoped advisory lock, so that every claimer,
 * in any process, counts the running jobs after the previous claim has committed (the
 * cap holds across servers); `FOR UPDATE SKIP LOCKED` keeps a claim from waiting on a row
 * another statement holds. On SQLite the claim is one UPDATE statement, which the
 * database's single writer makes atomic.
 *
 * A job's payload is dropped, and its uploaded document deleted, when the job ends.
 */
export class JobRepository {
  readonly documents: JobDocuments;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly now: () => Date,
  ) {
    this.documents = new JobDocuments(db, now);
  }

  /** `id`: one from newJobId() when something (an uploaded document) was stored under it first. */
  async enqueue(input: { id?: string; tenantId: string; type: JobType; summary: string; payload: unknown; maxAttempts?: number }): Promise<Job> {
    const now = this.now().toISOString();
    const row: JobTable = {
      id: input.id ?? newJobId(),
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

  /** Takes the next runnable job (queued and due, or running with an expired lease); see the class comment for which. */
  async claim(owner: string, leaseMs: number, options: ClaimOptions = {}): Promise<ClaimedJob | undefined> {
    const now = this.now();
    const nowIso = now.toISOString();
    const claim = (db: Kysely<Database>) => {
      const runningPerTenant = db
        .selectFrom("jobs")
        .select((eb) => ["tenant_id", eb.fn.countAll().as("running"), eb.fn.sum<number>(eb.case().when("lease_owner", "=", owner).then(1).else(0).end()).as("own")])
        .where("status", "=", "running")
        .where("lease_expires_at", ">=", nowIso)
        .groupBy("tenant_id");
      const running = sql<number>`coalesce(r.running, 0)`;
      // Fewest running over every worker comes first either way; the cap counts what the options say.
      const capped = options.capPerWorker ? sql<number>`coalesce(r.own, 0)` : running;
      const next = db
        .selectFrom("jobs as j")
        .leftJoin(runningPerTenant.as("r"), "r.tenant_id", "j.tenant_id")
        .select("j.id")
        .where((eb) =>
          eb.or([
            eb.and([eb("j.status", "=", "queued"), eb("j.run_after", "<=", nowIso)]),
            eb.and([eb("j.status", "=", "running"), eb("j.lease_expires_at", "<", nowIso)]),
          ]),
        )
        .$if(options.tenantCap !== undefined, (query) => query.where(capped, "<", options.tenantCap!))
        .$if(options.tenantId !== undefined, (query) => query.where("j.tenant_id", "=", options.tenantId!))
        .orderBy(running)
        .orderBy("j.created_at")
        .orderBy("j.id")
        .limit(1)
        .$if(this.dialect === "postgres", (query) => query.forUpdate("j").skipLocked());
      return db
        .updateTable("jobs")
        .set((eb) => takenBy(eb, owner, now, leaseMs))
        .where("id", "=", next)
        .returningAll()
        .executeTakeFirst();
    };
    const row = await this.underClaimLock(true, claim);
    return row && toClaimedJob(row);
  }

  /**
   * Takes one named job for `owner`, whoever held it: for a queue that delivers jobs itself
   * (BullMQ), which already guarantees one holder at a time. A previous holder that is still
   * alive finds out at its next heartbeat (`lost`) and stops without writing.
   *
   * With `tenantCap`, the same rule as `claim`: the job is taken only while its tenant has
   * fewer running jobs (live leases, over every worker on the database or, with `capPerWorker`,
   * this owner's; the job itself not counted) than the cap, else `tenant-at-cap` and the row is
   * left as it was. A crashed worker's job stops counting when its lease expires, so no slot
   * leaks. On Postgres the count and the take happen under the claim lock, so takes and claims
   * in any process count after each other (the cap holds across servers).
   */
  async take(id: string, owner: string, leaseMs: number, options: ClaimOptions = {}): Promise<JobTake> {
    const now = this.now();
    const nowIso = now.toISOString();
    const take = (db: Kysely<Database>) =>
      db
        .updateTable("jobs")
        .set((eb) => takenBy(eb, owner, now, leaseMs))
        .where("id", "=", id)
        .where("status", "in", ["queued", "running"])
        .$if(options.tenantCap !== undefined, (query) =>
          query.where(
            (eb) =>
              eb
                .selectFrom("jobs as other")
                .select((inner) => inner.fn.countAll<number>().as("running"))
                .whereRef("other.tenant_id", "=", "jobs.tenant_id")
                .where("other.status", "=", "running")
                .where("other.lease_expires_at", ">=", nowIso)
                .where("other.id", "<>", id)
                .$if(options.capPerWorker === true, (inner) => inner.where("other.lease_owner", "=", owner)),
            "<",
            options.tenantCap!,
          ),
        )
        .returningAll()
        .executeTakeFirst();
    const row = await this.underClaimLock(options.tenantCap !== undefined, take);
    if (row) return { kind: "taken", job: toClaimedJob(row) };
    if (options.tenantCap === undefined) return { kind: "ended" };
    const current = await this.db.selectFrom("jobs").select("status").where("id", "=", id).executeTakeFirst();
    return current && (current.status === "queued" || current.status === "running") ? { kind: "tenant-at-cap" } : { kind: "ended" };
  }

  /**
   * Runs `work` in a transaction holding the claim lock on Postgres when `needed`, so claims and
   * takes that count running jobs see each other's leases. SQLite has one writer at a time already.
   */
  private async underClaimLock<T>(needed: boolean, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (!needed || this.dialect !== "postgres") return work(this.db);
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ${CLAIM_LOCK}))`.execute(trx);
      return work(trx);
    });
  }

  /**
   * The tenant's oldest job that is queued and due: the one to wake when a slot of the
   * tenant's frees up (a queue that delivers jobs itself has it waiting on the cap).
   */
  async nextQueued(tenantId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("jobs")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("status", "=", "queued")
      .where("run_after", "<=", this.now().toISOString())
      .orderBy("created_at")
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  }

  /**
   * Jobs a worker could run now: queued, or running with an expired lease (their worker
   * died). For a queue that delivers jobs itself, to deliver again what it may have lost.
   */
  async runnable(limit: number): Promise<Array<{ id: string; type: JobType; maxAttempts: number }>> {
    const nowIso = this.now().toISOString();
    const rows = await this.db
      .selectFrom("jobs")
      .select(["id", "type", "max_attempts"])
      .where((eb) => eb.or([eb("status", "=", "queued"), eb.and([eb("status", "=", "running"), eb("lease_expires_at", "<", nowIso)])]))
      .orderBy("created_at")
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, type: row.type as JobType, maxAttempts: row.max_attempts }));
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
    await this.db.transaction().execute(async (trx) => {
      const cancelled = await trx
        .updateTable("jobs")
        .set({ status: "cancelled", finished_at: now, updated_at: now, cancel_requested: 1, payload: DROPPED_PAYLOAD })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .where("status", "=", "queued")
        .executeTakeFirst();
      if (cancelled.numUpdatedRows > 0n) await trx.deleteFrom("job_documents").where("job_id", "=", id).execute();
    });
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

  /** The tenant's jobs among `ids` (missing ones are left out), by id. */
  async getMany(tenantId: string, ids: readonly string[]): Promise<Map<string, Job>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom("jobs").select(JOB_COLUMNS).where("tenant_id", "=", tenantId).where("id", "in", ids).execute();
    return new Map(rows.map((row) => [row.id, toJob(row)]));
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

  /** Ends a job: its payload and uploaded document go, its result or error stays. */
  private async finish(id: string, owner: string, change: Partial<JobTable>): Promise<void> {
    const now = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const finished = await trx
        .updateTable("jobs")
        .set({ ...change, payload: DROPPED_PAYLOAD, lease_owner: null, lease_expires_at: null, finished_at: now, updated_at: now })
        .where("id", "=", id)
        .where("lease_owner", "=", owner)
        .executeTakeFirst();
      if (finished.numUpdatedRows > 0n) await trx.deleteFrom("job_documents").where("job_id", "=", id).execute();
    });
  }
}

/** Names the advisory lock that serialises claims, per schema (several Waygates may share one Postgres). */
const CLAIM_LOCK = ":waygate-job-claim";

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

function toClaimedJob(row: JobTable): ClaimedJob {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type as JobType,
    payload: JSON.parse(row.payload),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
  };
}

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

/** What taking a job writes (claim and take alike): running, held by `owner` until the lease ends, one attempt more, started (first take). */
function takenBy(eb: ExpressionBuilder<Database, "jobs">, owner: string, now: Date, leaseMs: number) {
  const nowIso = now.toISOString();
  return {
    attempts: eb("attempts", "+", 1),
    status: "running" as const,
    lease_owner: owner,
    lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
    started_at: sql<string>`coalesce(started_at, ${nowIso})`,
    updated_at: nowIso,
  };
}
