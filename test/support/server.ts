import { openTestStore } from "./stores.js";
import { startServer, type RunningServer } from "../../src/server/start.js";
import type { Store } from "../../src/store/index.js";

export interface TestServer {
  url: string;
  store: Store;
  tenantKey: string;
  tenantId: string;
  close(): Promise<void>;
}

/** The real API on a free loopback port over a fresh SQLite (or Postgres) store, with one tenant. */
export async function startTestServer(backend: "sqlite" | "postgres" = "sqlite"): Promise<TestServer> {
  const { store, dispose } = await openTestStore(backend);
  const tenant = await store.tenants.create("Acme");
  const issued = await store.keys.issue({ tenantId: tenant.id, kind: "tenant" });
  const server: RunningServer = await startServer({
    store,
    version: "0.0.0-test",
    host: "127.0.0.1",
    port: 0,
    allowPrivateImports: true, upstreams: "loopback",
    worker: { pollMs: 50 },
  });
  return {
    url: server.url,
    store,
    tenantKey: issued.secret,
    tenantId: tenant.id,
    close: async () => {
      await server.close();
      await dispose();
    },
  };
}
