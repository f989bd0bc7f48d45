import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/stores.js";
import { openDatabase } from "./database.js";

describe.runIf(process.env.WAYGATE_TEST_DATABASE_URL)("migrations on Postgres with ?schema=", () => {
  it("keeps each schema's migration tables its own while another schema's exist", async () => {
    const first = await createTestDatabase("postgres");
    const second = await createTestDatabase("postgres");
    try {
      const a = await openDatabase(first.location);
      // Kysely looked for `kysely_migration_lock` in any schema: the first database's was
      // taken for the second's, which was then never created ("relation does not exist").
      const b = await openDatabase(second.location);
      const schema = second.location.kind === "postgres" ? second.location.schema : undefined;
      const tables = await b.db.introspection.getTables({ withInternalKyselyTables: true });
      expect(tables.filter((table) => table.name.startsWith("kysely_migration") && table.schema === schema).map((table) => table.name).sort()).toEqual(["kysely_migration", "kysely_migration_lock"]);
      for (const handle of [a, b]) {
        await handle.changes.close();
        await handle.db.destroy();
      }
    } finally {
      await first.drop();
      await second.drop();
    }
  });
});
