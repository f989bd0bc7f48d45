import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../test/support/server.js";
import { storeBackends } from "../../test/support/stores.js";

const petstore = {
  slug: "petstore",
  name: "Petstore",
  baseUrl: "https://petstore.example.com/v1",
  actions: [{ name: "pets.list", method: "GET", path: "/pets" }],
};

interface Answer {
  status: number;
  body: Record<string, unknown> & { data?: Array<Record<string, unknown>> };
}

/** Races of the real server over its connection pool: every answer is a success or a typed conflict, never a 5xx. */
describe.each(storeBackends)("concurrent writes on %s", (backend) => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer(backend);
  });
  afterEach(async () => server.close());

  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${server.tenantKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Answer["body"]) : {} };
  };
  const statuses = (answers: Answer[]) => answers.map((answer) => answer.status).sort((a, b) => a - b);
  const versionNumbers = async (slug: string) =>
    ((await call("GET", `/v1/integrations/${slug}/versions`)).body.data ?? []).map((version) => version.version as number).sort((a, b) => a - b);

  it("answers 201 or 409, never 5xx, to 30 concurrent creates of one new integration, numbering versions 1..n", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => call("POST", "/v1/integrations", { ...petstore, name: `Petstore ${i}` })));
    for (const answer of answers) expect([201, 409], JSON.stringify(answer.body)).toContain(answer.status);
    const created = answers.filter((answer) => answer.status === 201);
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(created.map((answer) => answer.body.version)).size).toBe(created.length);
    expect(await versionNumbers("petstore")).toEqual(created.map((_, i) => i + 1));
    const conflicts = answers.filter((answer) => answer.status === 409);
    for (const conflict of conflicts) expect(conflict.body).toMatchObject({ type: "https://waygate.dev/problems/conflict" });
  });

  it("makes one version of 30 concurrent creates with the same content; the others answer 200 unchanged", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => call("POST", "/v1/integrations", petstore)));
    expect(statuses(answers)).toEqual([...Array.from({ length: 29 }, () => 200), 201]);
    expect(answers.every((answer) => answer.body.version === 1)).toBe(true);
    expect(await versionNumbers("petstore")).toEqual([1]);
  });

  it("keeps one consistent history under 20 concurrent publishes and rollbacks", async () => {
    for (const name of ["One", "Two", "Three"]) expect((await call("POST", "/v1/integrations", { ...petstore, name })).status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? call("POST", `/v1/integrations/petstore/versions/${(i % 3) + 1}/publish`, {})
          : call("POST", "/v1/integrations/petstore/rollback", { to: (i % 3) + 1 }),
      ),
    );
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const history = ((await call("GET", "/v1/integrations/petstore/history")).body.data ?? []).reverse();
    const moves = history.filter((event) => event.kind !== "created");
    // Each move starts from where the one before it left the pointer.
    moves.forEach((event, i) => expect(event.previousVersion, JSON.stringify(moves)).toBe(i === 0 ? null : moves[i - 1]!.version));
    expect((await call("GET", "/v1/integrations/petstore")).body.currentVersion).toBe(moves.at(-1)!.version);
    expect(await versionNumbers("petstore")).toEqual([1, 2, 3]);
  });

  it("creates an app once when 20 requests race for its name; the others answer 409", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => call("POST", "/v1/apps", { name: "web" })));
    expect(statuses(answers)).toEqual([201, ...Array.from({ length: 19 }, () => 409)]);
    expect((await call("GET", "/v1/apps")).body.data).toHaveLength(1);
  });

  it("renames two apps to one name at once: one 200, one 409", async () => {
    await call("POST", "/v1/apps", { name: "a" });
    await call("POST", "/v1/apps", { name: "b" });
    const answers = await Promise.all([call("PATCH", "/v1/apps/a", { name: "web" }), call("PATCH", "/v1/apps/b", { name: "web" })]);
    expect(statuses(answers)).toEqual([200, 409]);
  });

  it("stores one connection per end user when 20 creates race; the others answer 409", async () => {
    await call("POST", "/v1/integrations", petstore);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call("POST", "/v1/connections", { integration: "petstore", externalUserId: "user_1", credentials: { type: "bearer", token: `t${i}` } }),
      ),
    );
    expect(statuses(answers)).toEqual([201, ...Array.from({ length: 19 }, () => 409)]);
    expect((await call("GET", "/v1/connections?user=user_1")).body.data).toHaveLength(1);
  });
});
