import type { Kysely } from "kysely";
import { decodeLlmExtraction, type StoredLlmExtraction } from "./decode.js";
import type { Database } from "./schema.js";

/** Rows per insert: far below both databases' bind-parameter limits (6 columns each). */
const INSERT_BATCH = 200;

/**
 * The LLM's reading of each page of a crawled docs site (see migration 014). The importer
 * decides what to send; this only keeps, per tenant, docs URL and model, the answers of the
 * last successful import.
 */
export class LlmPageCache {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  async load(tenantId: string, source: string, model: string): Promise<Record<string, StoredLlmExtraction>> {
    const rows = await this.db.selectFrom("llm_page_cache").select(["page_hash", "extraction"]).where("tenant_id", "=", tenantId).where("source", "=", source).where("model", "=", model).execute();
    const entries: Record<string, StoredLlmExtraction> = Object.create(null) as Record<string, StoredLlmExtraction>;
    for (const row of rows) entries[row.page_hash] = decodeLlmExtraction(row.extraction);
    return entries;
  }

  /** The pages of this import, in place of those of the last one (pages gone from the site go from the cache), in one transaction. */
  async replace(tenantId: string, source: string, model: string, entries: Record<string, StoredLlmExtraction>): Promise<void> {
    const now = this.now().toISOString();
    const rows = Object.entries(entries).map(([hash, extraction]) => ({ tenant_id: tenantId, source, model, page_hash: hash, extraction: JSON.stringify(extraction), created_at: now }));
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("llm_page_cache").where("tenant_id", "=", tenantId).where("source", "=", source).where("model", "=", model).execute();
      for (let start = 0; start < rows.length; start += INSERT_BATCH) await trx.insertInto("llm_page_cache").values(rows.slice(start, start + INSERT_BATCH)).execute();
    });
  }
}
