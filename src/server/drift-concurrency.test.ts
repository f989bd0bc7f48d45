import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import { startServer, type RunningServer } from "./start.js";

/** An OpenAPI document with one GET operation per name. */
function spec(operations: string[]): string {
  const paths = Object.fromEntries(
    operations.map((name) => [`/${name}`, { get: { operationId: name, responses: { "200": { description: "OK", content: { "application/json": { schema: { type: "object" } } } } } } }]),
  );
  return JSON.stringify({ openapi: "3.1.0", info: { title: "Svc", version: "1" }, servers: [{ url: "https://svc.example.com" }], paths });
}

interface HistoryEvent {
  kind: string;
  version: number;
  previousVersion: number | null;
}

/**
 * Approve, publish and rollback on one integration all move its current version through the
 * versions service under the integration's lock: 20 of them at once must leave a history in
 * which every move starts where the one before it ended, exactly one approval, and no 5xx.
 */
describe.each(storeBackends)("concurrent publish, approve and rollback on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let server: RunningServer;
  let key: string;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    const tenant = await store.tenants.create("Acme");
    key = (await store.keys.issue({ tenantId: tenant.id, kind: "tenant" })).secret;
    server = await startServer({ store, version: "0.0.0-test", host: "127.0.0.1", port: 0, allowPrivateImports: true, upstreams: "loopback", worker: { pollMs: 20 } });
  });
  afterEach(async () => {
    await server.close();
    await dispose();
  });

  const api = async (path: string, body?: unknown) => {
    const response = await fetch(server.url + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const importVersion = async (operations: string[]) => {
    const started = await api("/v1/imports", { source: { content: spec(operations), filename: "svc.json" }, slug: "svc", publish: true });
    expect(started.status, started.text).toBe(202);
    const id = started.json()["id"] as string;
    for (let i = 0; i < 400; i++) {
      const job = (await api(`/v1/jobs/${id}`)).json();
      if (job["status"] === "succeeded") return;
      if (job["status"] === "failed") throw new Error(JSON.stringify(job["error"]));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("import did not finish");
  };

  it("20 concurrent calls leave a consistent history, one approval and no 5xx", async () => {
    await importVersion(["alpha", "beta"]);
    await importVersion(["alpha", "beta", "gamma"]);
    const checked = await api("/v1/integrations/svc/drift-checks", { source: { content: spec(["alpha", "gamma", "delta"]), filename: "svc.json" } });
    expect(checked.status, checked.text).toBe(200);
    const proposal = checked.json()["proposal"] as { id: string; version: number };
    expect(proposal.version).toBe(3);

    const calls = Array.from({ length: 20 }, (_, i) => {
      if (i % 3 === 0) return api(`/v1/proposals/${proposal.id}/approve`, { allowBreaking: true, note: `approval ${i}` });
      if (i % 3 === 1) return api(`/v1/integrations/svc/versions/${1 + (i % 2)}/publish`, {});
      return api("/v1/integrations/svc/rollback", { to: 1 + (i % 2) });
    });
    const answers = await Promise.all(calls);
    for (const answer of answers) expect([200, 409], answer.text).toContain(answer.status);
    const approvals = answers.filter((_, i) => i % 3 === 0);
    expect(approvals.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const refused of approvals.filter((answer) => answer.status === 409)) expect(refused.json()["detail"]).toMatch(/approv/);

    const history = ((await api("/v1/integrations/svc/history")).json()["data"] as HistoryEvent[]).reverse();
    let current: number | null = null;
    for (const event of history) {
      if (event.kind === "proposal-approved") continue;
      expect(event.previousVersion, JSON.stringify(event)).toBe(current);
      // "created" records a version (a draft, or one published by the event after it); only moves change the current one.
      if (event.kind !== "created") current = event.version;
    }
    expect((await api("/v1/integrations/svc")).json()["currentVersion"]).toBe(current);
    expect(history.filter((event) => event.kind === "proposal-approved")).toHaveLength(1);
    expect(history.filter((event) => event.kind === "published" && event.version === 3)).toHaveLength(1);
    expect((await api(`/v1/proposals/${proposal.id}`)).json()).toMatchObject({ status: "approved" });
  });
});
