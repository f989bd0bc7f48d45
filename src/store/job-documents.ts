import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/**
 * Documents uploaded for import jobs, in the database so that any server sharing it can
 * run the job. Written in chunks as the upload arrives; read back whole by the job; deleted
 * when the job ends (see JobRepository) or, for an upload that never became a job, by
 * `sweep`.
 */
export class JobDocuments {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  /** Stores chunk `seq` (0, 1, 2…) of the document of job `jobId` (which need not exist yet). */
  async append(jobId: string, tenantId: string, seq: number, data: Uint8Array): Promise<void> {
    await this.db.insertInto("job_documents").values({ job_id: jobId, seq, tenant_id: tenantId, data, created_at: this.now().toISOString() }).execute();
  }

  /**
   * The document, assembled into one buffer of `size` bytes (what the upload counted), or
   * undefined when none is stored. Read a few chunks at a time, so that no more than that
   * is held twice (Postgres sends bytea as hex text). The result owns its ArrayBuffer, so
   * it can be transferred to another thread without a copy.
   */
  async read(jobId: string, size: number): Promise<Uint8Array | undefined> {
    const document = new Uint8Array(new ArrayBuffer(size));
    let offset = 0;
    let next = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom("job_documents")
        .select(["seq", "data"])
        .where("job_id", "=", jobId)
        .where("seq", ">=", next)
        .orderBy("seq")
        .limit(READ_BATCH)
        .execute();
      for (const row of rows) {
        if (row.seq !== next) throw new Error(`document of job ${jobId} is missing chunk ${next}`);
        if (offset + row.data.byteLength > size) throw new Error(`document of job ${jobId} is larger than the ${size} bytes uploaded`);
        document.set(row.data, offset);
        offset += row.data.byteLength;
        next++;
      }
      if (rows.length < READ_BATCH) break;
    }
    if (next === 0) return undefined;
    if (offset !== size) throw new Error(`document of job ${jobId} has ${offset} of its ${size} bytes`);
    return document;
  }

  async discard(jobId: string): Promise<void> {
    await this.db.deleteFrom("job_documents").where("job_id", "=", jobId).execute();
  }

  /** Deletes uploads that never became a job (the upload failed, or its server died) and began before `before`. Returns the chunks deleted. */
  async sweep(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom("job_documents")
      .where("created_at", "<", before.toISOString())
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom("jobs").select("jobs.id").whereRef("jobs.id", "=", "job_documents.job_id"))))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** Chunks per query: 8 MiB of document, 16 MiB of hex text on Postgres. */
const READ_BATCH = 8;
