import type { Kysely } from "kysely";

/**
 * What the LLM read from each docs page of a crawled import, by the page's hash (model and
 * text): a re-scrape (and every drift check) sends only the pages that changed. One set per
 * tenant, docs URL and model, replaced by each successful import of it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("llm_page_cache")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    /** The docs URL the crawl started from, without query or credentials. */
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    /** Hex SHA-256 of the prompt version, the model and the page text. */
    .addColumn("page_hash", "text", (c) => c.notNull())
    /** JSON: the validated extraction ({ baseUrl, actions }). */
    .addColumn("extraction", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("llm_page_cache_pk", ["tenant_id", "source", "model", "page_hash"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("llm_page_cache").execute();
}
