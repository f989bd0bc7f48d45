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
