import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCliServer, startServerProcess, type CliServer, type ServerProcess } from "../support/cli.js";
import { storeBackends } from "../support/stores.js";

interface Answer {
  status: number;
  body: Record<string, unknown> & { data?: Array<Record<string, unknown>> };
}

/**
 * Two built servers on one database (one SQLite file, or one Postgres schema), as an
 * operator runs them behind a load balancer: their writes race across processes.
 */
describe.each(storeBackends)("two servers sharing one %s database", (backend) => {
  let first: CliServer;
  let second: ServerProcess;

  beforeAll(async () => {
    first = await startCliServer(backend);
    second = await startServerProcess(first.database.args, first.env);
  }, 60_000);
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  const call = async (server: { url: string }, key: string, method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Answer["body"]) : {} };
  };
  const servers = () => [first.server, second];

  it("creates an app once when requests to both servers race for its name", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(servers()[i % 2]!, first.apiKey, "POST", "/v1/apps", { name: "web" })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, ...Array.from({ length: 19 }, () => 409)]);
  });

  it("numbers versions 1..n without gaps or duplicates when both servers create at once", async () => {
    const definition = (i: number) => ({ slug: "crm", name: `CRM ${i}`, baseUrl: "https://crm.example.com", actions: [{ name: "contacts.list", method: "GET", path: "/contacts" }] });
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => call(servers()[i % 2]!, first.apiKey, "POST", "/v1/integrations", definition(i))));
    for (const answer of answers) expect([201, 409], JSON.stringify(answer.body)).toContain(answer.status);
    const created = answers.filter((answer) => answer.status === 201).length;
    const versions = ((await call(first.server, first.apiKey, "GET", "/v1/integrations/crm/versions")).body.data ?? []).map((version) => version.version);
    expect(versions.sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: created }, (_, i) => i + 1));
  }, 60_000);

  // Last: it revokes the key the other tests use.
  it("never leaves the tenant without a working admin key when both revoke the other's last key at once", async () => {
    let survivor = { id: ((await call(first.server, first.apiKey, "GET", "/v1/me")).body.key as { id: string }).id, secret: first.apiKey };
    for (let trial = 0; trial < 6; trial++) {
      const issue = async () => {
        const created = await call(first.server, survivor.secret, "POST", "/v1/keys", { name: `trial-${trial}` });
        expect(created.status).toBe(201);
        return { id: (created.body.key as { id: string }).id, secret: created.body.secret as string };
      };
      const a = await issue();
      const b = await issue();
      expect((await call(first.server, a.secret, "DELETE", `/v1/keys/${survivor.id}`)).status).toBe(200);

      const answers = await Promise.all([
        call(first.server, a.secret, "DELETE", `/v1/keys/${b.id}`),
        call(second, b.secret, "DELETE", `/v1/keys/${a.id}`),
      ]);
      expect(answers.filter((answer) => answer.status === 200), JSON.stringify(answers)).toHaveLength(1);
      for (const answer of answers) expect([200, 401, 409]).toContain(answer.status);

      const alive = [];
      for (const key of [a, b]) if ((await call(first.server, key.secret, "GET", "/v1/me")).status === 200) alive.push(key);
      expect(alive, `trial ${trial}`).toHaveLength(1);
      survivor = alive[0]!;
      const active = ((await call(first.server, survivor.secret, "GET", "/v1/keys")).body.data ?? []).filter((key) => key.revokedAt === null);
      expect(active.map((key) => key.id)).toEqual([survivor.id]);
    }
  }, 60_000);
});
