import type { Kysely } from "kysely";

/**
 * Who is refreshing a connection's OAuth tokens, and until when: servers sharing the
 * database take turns, so a single-use refresh token is spent once (RFC 6749 §10.4).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("connections").addColumn("refresh_owner", "text").execute();
  await db.schema.alterTable("connections").addColumn("refresh_until", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("connections").dropColumn("refresh_until").execute();
  await db.schema.alterTable("connections").dropColumn("refresh_owner").execute();
}
