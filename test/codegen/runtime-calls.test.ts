/**
 * The generated client on the wire: what it sends Waygate for a call (headers, body, how
 * many times) and what the caller gets back (data by media type, `withResponse`), against
 * a fake Waygate on loopback HTTP.
 */
import { describe, expect, test, vi } from "vitest";
import { InvokeRequestHeaders, REQUEST_ID_PATTERN } from "../../src/contract/invoke.js";
import { at, type Call, type RawRequest, type WaygateClient } from "./support/load-client.js";
import { rejection, useRuntime } from "./support/runtime-setup.js";

const setup = useRuntime();

describe("an action call", () => {
  test("posts the input to /v1/invoke/{integration}/{action} once, with exactly the protocol's headers and body", async () => {
    setup.waygate.on("slack", "chat.postMessage", () => ({ body: { ok: true, ts: "1.2" } }));
    const result = await at(setup.client(), "slack.chat.postMessage")({ channel: "C1", text: "hi" }, { connection: "user_42", idempotencyKey: "idem-1" });
    expect(result).toEqual({ ok: true, ts: "1.2" });
    expect(setup.waygate.received).toHaveLength(1);
    const [request] = setup.waygate.received;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/v1/invoke/slack/chat.postMessage");
    const { host: _host, connection: _connection, "content-length": _length, ...headers } = request?.headers ?? {};
    expect(headers).toEqual({
      authorization: `Bearer ${setup.waygate.key}`,
      "content-type": "application/json",
      accept: "application/json, application/problem+json, */*",
      "idempotency-key": "idem-1",
      "x-request-id": expect.stringMatching(REQUEST_ID_PATTERN),
      "x-waygate-expected-version": "7",
      // What undici's fetch adds on its own.
      "accept-encoding": expect.any(String),
      "accept-language": expect.any(String),
      "sec-fetch-mode": expect.any(String),
      "user-agent": expect.any(String),
    });
    expect(request?.body).toEqual({ input: { channel: "C1", text: "hi" }, connection: "user_42", retries: 2 });
  });

  test("an action without input sends an empty input object", async () => {
    await at(setup.client(), "acmeCrm.ping")();
    expect(setup.waygate.received.map((request) => [request.url, request.body, request.headers["x-waygate-expected-version"]])).toEqual([
      ["/v1/invoke/acme-crm/ping", { input: {}, retries: 2 }, "2"],
    ]);
  });

  test("the client's app and connection are defaults: X-Waygate-App on every call, the connection unless the call names one", async () => {
    const wg = setup.client({ app: "web", connection: "user_1" });
    await at(wg, "slack.users.info")({ user: "U1" });
    await at(wg, "slack.users.info")({ user: "U1" }, { connection: "user_2" });
    expect(setup.waygate.received.map((request) => [request.headers[InvokeRequestHeaders.app], request.body.connection])).toEqual([
      ["web", "user_1"],
      ["web", "user_2"],
    ]);
  });

  test("withOptions layers options over the client's and leaves the client alone", async () => {
    const wg = setup.client({ app: "web" });
    const user42 = wg.withOptions({ connection: "user_42", retries: 0 });
    await at(user42, "slack.users.info")({ user: "U1" });
    await at(wg, "slack.users.info")({ user: "U1" });
    expect(setup.waygate.received.map((request) => [request.headers[InvokeRequestHeaders.app], request.body.connection, request.body.retries])).toEqual([
      ["web", "user_42", 0],
      ["web", undefined, 2],
    ]);
  });

  test("retries goes to Waygate in the body: the client's, the call's, at most 10", async () => {
    await at(setup.client({ retries: 0 }), "slack.users.info")({ user: "U1" });
    await at(setup.client({ retries: 0 }), "slack.users.info")({ user: "U1" }, { retries: 5 });
    await at(setup.client(), "slack.users.info")({ user: "U1" }, { retries: 99 });
    expect(setup.waygate.received.map((request) => request.body.retries)).toEqual([0, 5, 10]);
  });

  test("per-call headers go upstream through the body; a caller's request id is sent and answered", async () => {
    const response = await at(setup.client(), "slack.users.info").withResponse({ user: "U1" }, { headers: { "If-None-Match": '"abc"' }, requestId: "trace-1" });
    const [request] = setup.waygate.received;
    expect(request?.body.headers).toEqual({ "If-None-Match": '"abc"' });
    expect(request?.headers["x-request-id"]).toBe("trace-1");
    expect(response.requestId).toBe("trace-1");
  });

  test("strictVersion sends the strict version policy", async () => {
    await at(setup.client({ strictVersion: true }), "slack.users.info")({ user: "U1" });
    expect(setup.waygate.received[0]?.headers[InvokeRequestHeaders.versionPolicy]).toBe("strict");
  });
});

describe("what a call resolves to", () => {
  test("withResponse gives the data with the status, headers, request id and the version that ran", async () => {
    setup.waygate.on("slack", "chat.postMessage", () => ({ status: 201, headers: { etag: '"v1"' }, body: { ok: true } }));
    const response = await at(setup.client(), "slack.chat.postMessage").withResponse({ channel: "C1" });
    expect(response).toMatchObject({ data: { ok: true }, status: 201, requestId: expect.stringMatching(/^wgc_/), versionExecuted: 7 });
    expect(response.headers.get("etag")).toBe('"v1"');
    expect(setup.waygate.received).toHaveLength(1);
  });

  test("an action answered 204 resolves to undefined", async () => {
    setup.waygate.on("acme-crm", "contacts.delete", () => ({ status: 204 }));
    const response = await at(setup.client(), "acmeCrm.contacts.delete").withResponse({ id: 1 });
    expect([response.data, response.status]).toEqual([undefined, 204]);
  });

  test("an empty response type gives undefined even when a body comes", async () => {
    setup.waygate.on("acme-crm", "contacts.delete", () => ({ body: { deleted: true } }));
    expect(await at(setup.client(), "acmeCrm.contacts.delete")({ id: 1 })).toBeUndefined();
  });

  test("a text response type gives a string", async () => {
    setup.waygate.on("acme-crm", "reports.summary", () => ({ body: "Q3: up 4 %", headers: { "content-type": "text/plain" } }));
    expect(await at(setup.client(), "acmeCrm.reports.summary")({ id: "r1" })).toBe("Q3: up 4 %");
  });

  test("a binary response type gives an ArrayBuffer of exactly the bytes", async () => {
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0xff]);
    setup.waygate.on("acme-crm", "reports.export", () => ({ body: pdf, headers: { "content-type": "application/pdf" } }));
    const data = await at(setup.client(), "acmeCrm.reports.export")({ id: "r1" });
    expect(data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(data as ArrayBuffer)]).toEqual([...pdf]);
  });

  test("a JSON action follows the content type Waygate answers with: text stays text, other media are bytes", async () => {
    setup.waygate.on("slack", "users.info", (_request, index) => (index === 0 ? { body: "plain" } : { body: new Uint8Array([1, 2]) }));
    const call = at(setup.client(), "slack.users.info");
    expect(await call({ user: "U1" })).toBe("plain");
    expect(await call({ user: "U1" })).toBeInstanceOf(ArrayBuffer);
  });

  test("a 304 resolves to undefined with its status", async () => {
    setup.waygate.on("slack", "users.info", () => ({ status: 304 }));
    const response = await at(setup.client(), "slack.users.info").withResponse({ user: "U1" }, { headers: { "If-None-Match": '"v1"' } });
    expect([response.data, response.status]).toEqual([undefined, 304]);
  });
});

describe("version mismatch", () => {
  test("by default warns once per action, however often and from however many copies it is called", async () => {
    setup.waygate.deployed.set("slack", 8);
    const warnings: string[] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const wg = setup.client();
      await at(wg, "slack.users.info")({ user: "U1" });
      await at(wg, "slack.users.info")({ user: "U2" });
      await at(wg.withOptions({ connection: "c" }), "slack.users.info")({ user: "U3" });
      await at(wg, "slack.chat.postMessage")({ channel: "C1" });
    } finally {
      warnings.push(...warn.mock.calls.map((args) => args.join(" ")));
      warn.mockRestore();
    }
    expect(warnings).toEqual([
      "Waygate: slack users.info ran version 8 of the integration, not 7 as generated; run `waygate generate`",
      expect.stringMatching(/^Waygate: slack chat\.postMessage ran version 8/),
    ]);
    expect(setup.waygate.received.map((request) => request.headers["x-waygate-expected-version"])).toEqual(["7", "7", "7", "7"]);
  });

  test("onVersionMismatch hears every mismatch, and nothing when the versions agree", async () => {
    const heard: unknown[] = [];
    const wg = setup.client({ onVersionMismatch: (mismatch: unknown) => heard.push(mismatch) });
    await at(wg, "slack.users.info")({ user: "U1" });
    setup.waygate.deployed.set("slack", 9);
    await at(wg, "slack.users.info")({ user: "U1" });
    await at(wg, "slack.users.info")({ user: "U1" });
    expect(heard).toEqual([
      { integration: "slack", action: "users.info", expected: 7, executed: 9 },
      { integration: "slack", action: "users.info", expected: 7, executed: 9 },
    ]);
  });
});

describe("request(): raw calls through /v1/proxy/{integration}", () => {
  test("path parameters come from the input, the rest is the query of a GET; no expected version", async () => {
    setup.waygate.onProxy("slack", () => ({ body: { views: 3 } }));
    const request = at<RawRequest>(setup.client({ connection: "user_42" }), "slack.request");
    const data = await request("GET /repos/{owner}/{repo}/traffic/views", { owner: "octo cat", repo: "hello", per: "week" });
    expect(data).toEqual({ views: 3 });
    const [received] = setup.waygate.received;
    expect(received?.url).toBe("/v1/proxy/slack");
    expect(received?.body).toEqual({ method: "GET", path: "/repos/octo%20cat/hello/traffic/views", query: { per: "week" }, connection: "user_42", retries: 2 });
    expect(received?.headers["x-waygate-expected-version"]).toBeUndefined();
  });

  test("the rest of the input is the JSON body of a POST; a route without a method is a GET", async () => {
    const request = at<RawRequest>(setup.client(), "slack.request");
    await request("POST /chat.meMessage", { channel: "C1", text: "waves" }, { idempotencyKey: "k1" });
    await request("/auth.test");
    expect(setup.waygate.received.map((received) => received.body)).toEqual([
      { method: "POST", path: "/chat.meMessage", body: { channel: "C1", text: "waves" }, retries: 2 },
      { method: "GET", path: "/auth.test", retries: 2 },
    ]);
    expect(setup.waygate.received[0]?.headers["idempotency-key"]).toBe("k1");
  });

  test("withResponse, and a missing path parameter or a bad route is a TypeError before any request", async () => {
    setup.waygate.onProxy("slack", () => ({ status: 202, body: { queued: true } }));
    const request = at<RawRequest>(setup.client(), "slack.request");
    expect(await request.withResponse("DELETE /files/{id}", { id: 7 })).toMatchObject({ data: { queued: true }, status: 202 });
    await expect(request("GET /files/{id}", {})).rejects.toThrow(TypeError);
    await expect(request("FETCH /files")).rejects.toThrow(/is not a route like/);
    expect(setup.waygate.received).toHaveLength(1);
  });
});

describe("no baked-in server", () => {
  test("no generated file holds the URL of the server the manifest came from", () => {
    for (const [path, text] of setup.loaded.files) expect(text, path).not.toContain("api.waygate.test");
  });

  test("without baseUrl (option or WAYGATE_BASE_URL) createWaygate throws a TypeError that says how to give one", () => {
    expect(() => setup.loaded.module.createWaygate({ apiKey: "k" })).toThrow(new TypeError("Waygate: no base URL: pass `baseUrl` or set WAYGATE_BASE_URL"));
    expect(() => setup.loaded.module.createWaygate({ baseUrl: "https://w.test" })).toThrow(/no API key: pass `apiKey` or set WAYGATE_API_KEY/);
  });
});

describe("defaults from the environment", () => {
  const names = ["WAYGATE_API_KEY", "WAYGATE_BASE_URL", "WAYGATE_APP"] as const;
  function withEnv<T>(values: Partial<Record<(typeof names)[number], string>>, run: () => T): T {
    const saved = names.map((name) => [name, process.env[name]] as const);
    for (const name of names) delete process.env[name];
    Object.assign(process.env, values);
    try {
      return run();
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }

  test("WAYGATE_API_KEY, WAYGATE_BASE_URL and WAYGATE_APP fill in what the options leave out", async () => {
    const wg = withEnv({ WAYGATE_API_KEY: setup.waygate.key, WAYGATE_BASE_URL: `${setup.waygate.url}/`, WAYGATE_APP: "from-env" }, () => setup.loaded.module.createWaygate());
    await at(wg, "slack.users.info")({ user: "U1" });
    const [request] = setup.waygate.received;
    expect([request?.headers.authorization, request?.headers["x-waygate-app"]]).toEqual([`Bearer ${setup.waygate.key}`, "from-env"]);
  });

  test("options win over the environment", async () => {
    const wg = withEnv({ WAYGATE_API_KEY: "wrong", WAYGATE_BASE_URL: "http://127.0.0.1:9", WAYGATE_APP: "env-app" }, () => setup.client({ app: "opt-app" }));
    await at(wg, "slack.users.info")({ user: "U1" });
    expect(setup.waygate.received[0]?.headers["x-waygate-app"]).toBe("opt-app");
  });

  test("where there is no `process` (browsers, edge runtimes) options alone work and nothing throws but the missing-option TypeError", () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, "process");
    Object.defineProperty(globalThis, "process", { value: undefined, configurable: true, writable: true });
    let results: unknown[];
    try {
      results = [
        typeof setup.loaded.module.createWaygate({ apiKey: "k", baseUrl: "https://w.test" }),
        (() => {
          try {
            return setup.loaded.module.createWaygate();
          } catch (error) {
            return (error as Error).constructor.name;
          }
        })(),
      ];
    } finally {
      Object.defineProperty(globalThis, "process", descriptor!);
    }
    expect(results).toEqual(["object", "TypeError"]);
  });
});

describe("the client object", () => {
  test("integrations and groups are bound when first read, then are ordinary data properties", () => {
    const wg = setup.client();
    expect(typeof Object.getOwnPropertyDescriptor(wg, "slack")?.get).toBe("function");
    const slack = at<Record<string, unknown>>(wg, "slack");
    const bound = Object.getOwnPropertyDescriptor(wg, "slack");
    expect([bound?.value === slack, bound?.enumerable, bound?.writable, bound?.get]).toEqual([true, true, true, undefined]);
    expect(typeof Object.getOwnPropertyDescriptor(slack, "chat")?.get).toBe("function");
    expect(at(wg, "slack")).toBe(slack);
    expect(setup.waygate.received).toHaveLength(0);
  });

  test("keys in member order; withOptions and request are not among them; nothing is a thenable", async () => {
    const wg = setup.client();
    expect(Object.keys(wg)).toEqual(["acmeCrm", "slack", "tasks"]);
    expect(Object.keys(at(wg, "acmeCrm"))).toEqual(["contacts", "deals", "events", "ping", "reports"]);
    expect(Object.keys(at(wg, "acmeCrm.contacts"))).toEqual(["delete", "list", "tags"]);
    expect(Object.getPrototypeOf(at(wg, "acmeCrm.contacts"))).toBe(Object.prototype);
    expect(await Promise.resolve(wg)).toBe(wg);
    expect(await Promise.resolve(at(wg, "slack"))).toBe(at(wg, "slack"));
    expect(setup.waygate.received).toHaveLength(0);
  });

  test("actions are named for stack traces: `at slack.users.info`", async () => {
    setup.waygate.on("slack", "users.info", () => ({ hangUp: true }));
    const call = at(setup.client({ retries: 0 }), "slack.users.info");
    expect([call.name, call.withResponse.name]).toEqual(["slack.users.info", "slack.users.info.withResponse"]);
    const error = await rejection(call({ user: "U1" }));
    expect(error.stack).toMatch(/\n\s+at (async )?slack\.users\.info \(/);
  });

  test("a group named like the integration does not stutter; a member named like `request` yields to the raw call", async () => {
    const wg = setup.client();
    await at(wg, "tasks.create")({ title: "t" });
    await at(wg, "tasks.list")();
    await at(wg, "tasks.tasks.list")();
    await at(wg, "tasks.request_")({ text: "x" });
    await at<RawRequest>(wg, "tasks.request")("GET /tasks");
    expect(setup.waygate.received.map((request) => request.url)).toEqual([
      "/v1/invoke/tasks/tasks.create",
      "/v1/invoke/tasks/list",
      "/v1/invoke/tasks/tasks.list",
      "/v1/invoke/tasks/request",
      "/v1/proxy/tasks",
    ]);
  });

  test("each integration's module gives the same client for that integration alone", async () => {
    const wg = setup.loaded.integrations["slack"]!.createWaygate({ apiKey: setup.waygate.key, baseUrl: setup.waygate.url }) as WaygateClient;
    expect(Object.keys(wg)).toEqual(["slack"]);
    await at(wg, "slack.users.info")({ user: "U1" });
    await at(wg.withOptions({ app: "web" }), "slack.users.info")({ user: "U1" });
    expect(setup.waygate.received.map((request) => [request.url, request.headers["x-waygate-app"]])).toEqual([
      ["/v1/invoke/slack/users.info", undefined],
      ["/v1/invoke/slack/users.info", "web"],
    ]);
  });

  test("calls of one action share nothing: concurrent calls each get their own request id", async () => {
    const call: Call = at(setup.client(), "slack.users.info");
    await Promise.all([call({ user: "U1" }), call({ user: "U2" })]);
    const ids = setup.waygate.received.map((request) => request.headers["x-request-id"]);
    expect(new Set(ids).size).toBe(2);
  });
});
