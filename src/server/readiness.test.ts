import { createServer, Socket, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Store } from "../store/index.js";
import { createTestDatabase, storeBackends, type TestDatabase } from "../../test/support/stores.js";
import { migrationProvider } from "../store/migrations/index.js";
import { createApp } from "./app.js";

const ALL_MIGRATIONS = Object.keys(await migrationProvider.getMigrations());

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(database: TestDatabase, options: { migrate: boolean }): Promise<Store> {
  const store = await Store.open(database.location, options);
  cleanups.push(() => store.close());
  return store;
}

async function fresh(backend: "sqlite" | "postgres"): Promise<TestDatabase> {
  const database = await createTestDatabase(backend);
  cleanups.push(() => database.drop());
  return database;
}

async function ready(store: Store): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await createApp({ store, version: "9.9.9" }).request("/v1/health/ready");
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(storeBackends)("readiness on %s", (backend) => {
  it("is ready (200) when the database answers and every migration is applied", async () => {
    const store = await open(await fresh(backend), { migrate: true });
    const answer = await ready(store);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "ready", version: "9.9.9", checks: { database: { status: "ok" }, migrations: { status: "ok", pending: [] } } });
  });

  it("is not ready (503) and lists the pending migrations until `migrate` applies them", async () => {
    const store = await open(await fresh(backend), { migrate: false });
    const before = await ready(store);
    expect(before.status).toBe(503);
    expect(before.body).toMatchObject({ status: "not-ready", checks: { database: { status: "ok" }, migrations: { status: "pending", pending: ALL_MIGRATIONS } } });
    expect(await store.migrations.apply()).toEqual(ALL_MIGRATIONS);
    expect((await ready(store)).status).toBe(200);
  });

  it("needs no key, like liveness", async () => {
    const store = await open(await fresh(backend), { migrate: true });
    const response = await createApp({ store, version: "1" }).request("/v1/health/ready", { headers: { authorization: "Bearer wrong" } });
    expect(response.status).toBe(200);
  });
});

/** A TCP forwarder in front of Postgres that the test can take down, as a database restart or network failure would. */
async function startProxy(target: { host: string; port: number }): Promise<{ port: number; stop(): Promise<void>; restart(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on("error", () => {});
        socket.on("close", () => sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  };
  await listen();
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { port, stop, restart: listen };
}

// Declared only where Postgres is configured, rather than reported skipped elsewhere.
const onPostgres = storeBackends.includes("postgres") ? describe : () => {};
onPostgres("readiness when Postgres stops answering", () => {
  it("answers 503 (database unreachable) while the database is gone, without detail, and 200 once it is back", async () => {
    const database = await fresh("postgres");
    const url = new URL(process.env.WAYGATE_TEST_DATABASE_URL!);
    const proxy = await startProxy({ host: url.hostname, port: Number(url.port || 5432) });
    cleanups.push(() => proxy.stop().catch(() => {}));
    const location = database.location as { kind: "postgres"; url: string; schema: string };
    const proxied = new URL(location.url);
    proxied.port = String(proxy.port);
    const store = await Store.open({ ...location, url: proxied.toString() }, { migrate: true });
    cleanups.push(() => store.close());
    const warnings: unknown[] = [];
    const app = createApp({ store, version: "1", logger: { debug: () => {}, info: () => {}, error: () => {}, warn: (fields) => warnings.push(fields) } });

    expect((await app.request("/v1/health/ready")).status).toBe(200);
    await proxy.stop();
    const down = await app.request("/v1/health/ready");
    expect(down.status).toBe(503);
    const body = (await down.json()) as Record<string, unknown>;
    expect(body).toEqual({ status: "not-ready", version: "1", checks: { database: { status: "unreachable" }, migrations: { status: "unknown", pending: [] } } });
    expect(warnings).toHaveLength(1);
    // Liveness stays up: the process is fine, only its database is not.
    expect((await app.request("/v1/health")).status).toBe(200);

    await proxy.restart();
    expect((await app.request("/v1/health/ready")).status).toBe(200);
  }, 30_000);
});
