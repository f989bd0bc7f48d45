import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedEnv, runCli, startServerProcess } from "../support/cli.js";
import { createTestDatabase, storeBackends, type TestDatabase } from "../support/stores.js";
import { migrationProvider } from "../../src/store/migrations/index.js";

const ALL_MIGRATIONS = Object.keys(await migrationProvider.getMigrations());

interface MigrateJson {
  applied: string[];
  unknown: string[];
}

describe.each(storeBackends)("waygate server migrate on %s", (backend) => {
  let database: TestDatabase;
  const env = isolatedEnv();

  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("--check exits 5 and names the pending migrations on a fresh database, applying nothing", async () => {
    const check = await runCli(["server", "migrate", "--check", ...database.args], { env });
    expect(check.code, check.stderr).toBe(5);
    expect(check.stderr).toContain(`missing ${ALL_MIGRATIONS.length} migrations`);
    expect(check.stderr).toContain(ALL_MIGRATIONS.at(-1)!);
    expect((await runCli(["server", "migrate", "--check", ...database.args], { env })).code).toBe(5);
  });

  it("refuses to start with --no-migrate while migrations are pending (exit 5)", async () => {
    const start = await runCli(["server", "start", "--port", "0", "--no-migrate", ...database.args], { env });
    expect(start.code, start.stderr).toBe(5);
    expect(start.stderr).toContain("run `waygate server migrate` first");
  });

  it("applies every migration exactly once when two processes migrate at the same moment", async () => {
    const [first, second] = await Promise.all([1, 2].map(() => runCli(["server", "migrate", "--json", ...database.args], { env, timeoutMs: 60_000 })));
    expect(first!.code, first!.stderr).toBe(0);
    expect(second!.code, second!.stderr).toBe(0);
    const applied = [first, second].flatMap((result) => (JSON.parse(result!.stdout) as MigrateJson).applied);
    expect(applied.sort()).toEqual([...ALL_MIGRATIONS].sort());
    const check = await runCli(["server", "migrate", "--check", ...database.args], { env });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).toContain("is up to date");
  }, 90_000);

  it("starts with --no-migrate once migrated", async () => {
    const server = await startServerProcess(["--no-migrate", ...database.args], env);
    const ready = await fetch(`${server.url}/v1/health/ready`);
    expect(ready.status).toBe(200);
    expect(await server.stop()).toBe(0);
  }, 30_000);
});

// Declared only where Postgres is configured, rather than reported skipped elsewhere.
const onPostgres = storeBackends.includes("postgres") ? describe : () => {};

onPostgres("migrations on a fresh Postgres schema from several processes", () => {
  it("creates the schema and applies everything once when three migrate at once", async () => {
    const database = await createTestDatabase("postgres");
    try {
      const env = isolatedEnv();
      const results = await Promise.all([1, 2, 3].map(() => runCli(["server", "migrate", "--json", ...database.args], { env, timeoutMs: 60_000 })));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      expect(results.flatMap((result) => (JSON.parse(result.stdout) as MigrateJson).applied).sort()).toEqual([...ALL_MIGRATIONS].sort());
    } finally {
      await database.drop();
    }
  }, 90_000);

  it("an older server keeps starting (and migrating is a no-op) on a schema a newer version has expanded", async () => {
    const database = await createTestDatabase("postgres");
    try {
      const env = isolatedEnv();
      expect((await runCli(["server", "migrate", ...database.args], { env })).code).toBe(0);
      const location = database.location as { url: string; schema: string };
      const client = new pg.Client({ connectionString: location.url });
      await client.connect();
      try {
        await client.query(`INSERT INTO "${location.schema}".kysely_migration (name, timestamp) VALUES ('999_from_the_future', now()::text)`);
      } finally {
        await client.end();
      }
      const migrate = await runCli(["server", "migrate", "--json", ...database.args], { env });
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(JSON.parse(migrate.stdout)).toMatchObject({ applied: [], unknown: ["999_from_the_future"] });
      const server = await startServerProcess(database.args, env);
      expect((await fetch(`${server.url}/v1/health/ready`)).status).toBe(200);
      expect(await server.stop()).toBe(0);
    } finally {
      await database.drop();
    }
  }, 60_000);
});
