import { openTestStore } from "./stores.js";
import { startServer, type RunningServer, type ServerOptions } from "../../src/server/start.js";
import type { Store } from "../../src/store/index.js";

export interface TestServer {
  url: string;
  store: Store;
  tenantKey: string;
  tenantId: string;
  close(): Promise<void>;
}

/** The real API on a free loopback port over a fresh SQLite (or Postgres) store, with one tenant (`options`: batch shares, worker tuning). */
export async function startTestServer(backend: "sqlite" | "postgres" = "sqlite", options: Partial<Pick<ServerOptions, "batchShares" | "worker">> = {}): Promise<TestServer> {
  const { store, dispose } = await openTestStore(backend);
  const tenant = await store.tenants.create("Acme");
  const issued = await store.keys.issue({ tenantId: tenant.id, kind: "tenant" });
  const server: RunningServer = await startServer({
    store,
    version: "0.0.0-test",
    host: "127.0.0.1",
    port: 0,
    allowPrivateImports: true, upstreams: "loopback",
    worker: { pollMs: 50, ...options.worker },
    ...(options.batchShares ? { batchShares: options.batchShares } : {}),
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

/** A JSON call to the test server's API with its tenant key; throws on a status of 300 or more, with the answer. */
export async function tenantApi(server: TestServer, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}
