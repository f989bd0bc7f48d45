import { randomBytes } from "node:crypto";
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from "kysely";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema } from "../contract/index.js";
import { contentHash } from "../lib/canonical-json.js";
import { Sealer } from "../lib/sealer.js";
import { createTestDatabase, storeBackends, type TestDatabase } from "../../test/support/stores.js";
import { ChangeTracker, ReadCache, changesCachedRows, POLL_MS, type ExternalChanges } from "./changes.js";
import type { Database } from "./schema.js";
import { Store } from "./store.js";

/** Changes by other processes, driven by the test. */
function fakeExternal(): ExternalChanges & { changed: boolean; setLive(live: boolean): void } {
  let live = true;
  return {
    changed: false,
    get live() {
      return live;
    },
    setLive(value: boolean) {
      live = value;
    },
    poll() {
      const changed = this.changed;
      this.changed = false;
      return changed;
    },
    start() {},
    close: async () => {},
  };
}

describe("ReadCache", () => {
  const counting = () => {
    let loads = 0;
    return {
      load: async () => ({ n: ++loads }),
      get loads() {
        return loads;
      },
    };
  };

  it("serves a value until the tracker moves on", async () => {
    const tracker = new ChangeTracker(fakeExternal());
    const cache = new ReadCache<string, { n: number }>(tracker);
    const source = counting();
    expect(await cache.get("a", source.load)).toEqual({ n: 1 });
    expect(await cache.get("a", source.load)).toEqual({ n: 1 });
    expect(source.loads).toBe(1);
    tracker.bump();
    expect(await cache.get("a", source.load)).toEqual({ n: 2 });
    expect(Object.isFrozen(await cache.get("a", source.load))).toBe(true);
  });

  it("does not keep a value a write overlapped, nor undefined", async () => {
    const tracker = new ChangeTracker(fakeExternal());
    const cache = new ReadCache<string, { n: number }>(tracker);
    let loads = 0;
    const racing = async () => {
      loads++;
      tracker.bump();
      return { n: loads };
    };
    await cache.get("a", racing);
    await cache.get("a", racing);
    expect(loads).toBe(2);
    let misses = 0;
    const missing = async () => {
      misses++;
      return undefined;
    };
    await cache.get("b", missing);
    await cache.get("b", missing);
    expect(misses).toBe(2);
  });

  it("sees another process's change at the next poll, and reads through while changes cannot be seen", async () => {
    const external = fakeExternal();
    const tracker = new ChangeTracker(external);
    const cache = new ReadCache<string, { n: number }>(tracker);
    const source = counting();
    await cache.get("a", source.load);
    external.changed = true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS + 2));
    expect(await cache.get("a", source.load)).toEqual({ n: 2 });
    external.setLive(false);
    await cache.get("a", source.load);
    await cache.get("a", source.load);
    expect(source.loads).toBe(4);
  });

  it("holds at most its limit, dropping the oldest", async () => {
    const cache = new ReadCache<string, { key: string }>(new ChangeTracker(fakeExternal()), 2);
    const loaded: string[] = [];
    const load = (key: string) => async () => {
      loaded.push(key);
      return { key };
    };
    for (const key of ["a", "b", "c", "b", "a"]) await cache.get(key, load(key));
    expect(loaded).toEqual(["a", "b", "c", "a"]);
  });
});

describe("changesCachedRows", () => {
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new SqliteIntrospector(kysely),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });

  it.each([
    ["a select", db.selectFrom("api_keys").selectAll().where("hash", "=", "x").compile(), false],
    ["an insert into a cached table", db.insertInto("pins").values({ app_id: "a", integration_id: "i", version: 1, created_at: "", updated_at: "" }).compile(), true],
    ["an update of a cached table", db.updateTable("api_keys").set({ revoked_at: "now" }).where("id", "=", "k").compile(), true],
    ["an aliased delete", db.deleteFrom("connections as c").where("c.id", "=", "c1").compile(), true],
    ["a usage stamp alone", db.updateTable("api_keys").set({ last_used_at: "now" }).where("id", "=", "k").compile(), false],
    ["a refresh lease", db.updateTable("connections").set({ refresh_owner: "o", refresh_until: "later" }).where("id", "=", "c").compile(), false],
    ["a usage stamp with another column", db.updateTable("connections").set({ last_used_at: "now", secret: "s" }).where("id", "=", "c").compile(), true],
    ["a job heartbeat", db.updateTable("jobs").set({ lease_expires_at: "later" }).where("id", "=", "j").compile(), false],
    ["an event log insert", db.insertInto("integration_events").values({ id: "e", integration_id: "i", seq: 1, kind: "published", version: 1, previous_version: null, actor: "a", created_at: "" }).compile(), false],
    ["a raw select", sql`select 1`.compile(db), false],
    ["a raw write", sql`delete from apps`.compile(db), true],
    ["schema DDL", db.schema.createTable("t").addColumn("c", "text").compile(), true],
  ])("%s → %s", (_name, query, expected) => {
    expect(changesCachedRows(query)).toBe(expected);
  });
});

const definition = IntegrationDefinitionSchema.parse({
  slug: "petstore",
  name: "Petstore",
  baseUrl: "https://petstore.example.com/v1",
  authSchemes: [{ type: "bearer" }],
  actions: [{ name: "pets.list", method: "GET", path: "/pets" }],
});

/**
 * The caches through real stores: this process's writes are seen at once, and another
 * process's (a second Store on the same database, as the CLI's operator commands or a
 * second server would be) as soon as the database tells.
 */
describe.each(storeBackends)("store caches on %s", (backend) => {
  let database: TestDatabase;
  let first: Store;
  let second: Store;
  const key = randomBytes(32);
  const open = () => Store.open(database.location, { sealer: async () => new Sealer(key) });

  beforeEach(async () => {
    database = await createTestDatabase(backend);
    first = await open();
    second = await open();
  });
  afterEach(async () => {
    await first.close();
    await second.close();
    await database.drop();
  });

  /** Until `check` holds: Postgres notifications arrive asynchronously. */
  const eventually = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 3_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error("the change was not seen within 3 s");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  /** Caching only starts once the store can see other processes' changes (the Postgres listener is up). */
  const cachingLive = (store: Store) => eventually(async () => (await store.keys.authenticate("wg_tenant_warmup"), store.changes.current() !== null));

  it("stops authenticating a revoked key at once here, and soon after a revoke elsewhere", async () => {
    const tenant = await first.tenants.create("Acme");
    const a = await first.keys.issue({ tenantId: tenant.id, kind: "tenant" });
    const b = await first.keys.issue({ tenantId: tenant.id, kind: "tenant" });
    await cachingLive(first);
    expect((await first.keys.authenticate(a.secret))?.key.id).toBe(a.key.id);
    expect((await first.keys.authenticate(b.secret))?.key.id).toBe(b.key.id);

    await first.keys.revoke(tenant.id, a.key.id);
    expect(await first.keys.authenticate(a.secret)).toBeUndefined();

    await second.keys.revoke(tenant.id, b.key.id);
    await eventually(async () => (await first.keys.authenticate(b.secret)) === undefined);
  });

  it("follows pins, publishes and credential changes made by either process", async () => {
    const tenant = await first.tenants.create("Acme");
    await first.versions.save(tenant.id, definition, { contentHash: contentHash(definition), createdBy: "test" });
    const v2 = { ...definition, name: "Petstore 2" };
    await first.versions.save(tenant.id, v2, { contentHash: contentHash(v2), createdBy: "test", draft: true });
    const app = await first.apps.create(tenant.id, "web");
    if (app === "name-taken") throw new Error("unexpected");
    await cachingLive(first);

    const version = async () => (await first.apps.invokeTarget(tenant.id, app.id, "petstore"))?.version?.number;
    expect(await version()).toBe(1);
    const integrationId = (await first.apps.invokeTarget(tenant.id, app.id, "petstore"))!.integrationId;
    await first.apps.pin(app.id, integrationId, 2);
    expect(await version()).toBe(2);
    await second.apps.unpin(app.id, integrationId);
    await eventually(async () => (await version()) === 1);
    await second.versions.moveCurrent(tenant.id, "petstore", 2, { event: "published", actor: "test" });
    await eventually(async () => (await version()) === 2);

    const scope = { tenantId: tenant.id, appId: app.id };
    const created = await first.connections.create(scope, { integrationId, externalUserId: "u1", credentials: { type: "bearer", token: "one" } });
    if (created === "exists") throw new Error("unexpected");
    const token = async () => ((await first.connections.forInvoke(scope, integrationId, "u1"))?.credentials as { token?: string } | undefined)?.token;
    expect(await token()).toBe("one");
    await first.connections.replaceCredentials(created.id, { type: "bearer", token: "two" });
    expect(await token()).toBe("two");
    await second.connections.replaceCredentials(created.id, { type: "bearer", token: "three" });
    await eventually(async () => (await token()) === "three");
    await second.connections.delete(scope, created.id);
    await eventually(async () => (await token()) === undefined);
  });

  it("moves on with every write, in or out of a transaction, and not on reads", async () => {
    await cachingLive(first);
    const before = first.changes.current()!;
    await first.apps.invokeTarget("ten_none", null, "nothing");
    expect(first.changes.current()).toBe(before);
    const tenant = await first.tenants.create("Acme");
    const afterInsert = first.changes.current()!;
    expect(afterInsert).toBeGreaterThan(before);
    await first.versions.save(tenant.id, definition, { contentHash: contentHash(definition), createdBy: "test" });
    expect(first.changes.current()).toBeGreaterThan(afterInsert);
  });

  if (backend === "postgres") {
    it("serves cached keys without asking the database (a write that skips the triggers goes unseen)", async () => {
      const tenant = await first.tenants.create("Acme");
      const issued = await first.keys.issue({ tenantId: tenant.id, kind: "tenant" });
      await cachingLive(first);
      expect(await first.keys.authenticate(issued.secret)).toBeDefined();
      const location = database.location as { url: string; schema: string };
      const client = new pg.Client({ connectionString: location.url });
      await client.connect();
      try {
        // replica role disables triggers: no notification, so only a cache explains the answer.
        await client.query("SET session_replication_role = replica");
        await client.query(`UPDATE "${location.schema}".api_keys SET revoked_at = now()::text WHERE id = $1`, [issued.key.id]);
      } finally {
        await client.end();
      }
      expect(await first.keys.authenticate(issued.secret)).toBeDefined();
      expect(await second.keys.authenticate(issued.secret)).toBeUndefined();
    });

    it("reads through while its listener is down, and caches again once it is back", async () => {
      const tenant = await first.tenants.create("Acme");
      const issued = await first.keys.issue({ tenantId: tenant.id, kind: "tenant" });
      await cachingLive(first);
      await cachingLive(second);
      const location = database.location as { url: string; schema: string };
      const client = new pg.Client({ connectionString: location.url });
      await client.connect();
      try {
        const killed = await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`waygate-changes ${location.schema}`]);
        expect(killed.rowCount).toBeGreaterThanOrEqual(2);
        await eventually(async () => first.changes.current() === null);
        // Unseen by anyone while the listeners are down: a cache would still answer.
        await client.query("SET session_replication_role = replica");
        await client.query(`UPDATE "${location.schema}".api_keys SET revoked_at = now()::text WHERE id = $1`, [issued.key.id]);
        expect(await first.keys.authenticate(issued.secret)).toBeUndefined();
      } finally {
        await client.end();
      }
      await cachingLive(first);
    });
  }
});
