import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { at, loadGeneratedClient, type GeneratedModule, type Paged } from "./support/load-client.js";
import { removeDir } from "./support/compile.js";
import { startGateway, type FakeGateway } from "./support/gateway.js";
import { loadManifest } from "./support/manifests.js";

let gateway: FakeGateway;
let generated: GeneratedModule;
let dir: string;

beforeAll(async () => {
  gateway = await startGateway();
  ({ module: generated, dir } = await loadGeneratedClient(loadManifest("small-manifest.json")));
});
afterAll(async () => {
  await gateway.close();
  removeDir(dir);
});
beforeEach(() => gateway.reply({ body: {} }));

function client(options: Record<string, unknown> = {}): Record<string, unknown> {
  return generated.createWaygate({ apiKey: "wg_test_key", baseUrl: gateway.url, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

describe("invoke", () => {
  test("posts the input to /v1/invoke/{slug}/{action} with the key, version and connection", async () => {
    gateway.reply({ body: { ok: true, ts: "1.2" } });
    const result = await at(client(), "slack.chat.postMessage")({ channel: "C1", text: "hi" }, { connection: "user_42", idempotencyKey: "idem-1" });
    expect(result).toEqual({ ok: true, ts: "1.2" });
    const [request] = gateway.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/v1/invoke/slack/chat.postMessage");
    expect(request?.headers.authorization).toBe("Bearer wg_test_key");
    expect(request?.headers["x-waygate-version"]).toBe("7");
    expect(request?.headers["idempotency-key"]).toBe("idem-1");
    expect(request?.body).toEqual({ input: { channel: "C1", text: "hi" }, connection: "user_42" });
  });

  test("sends an empty input object when an action is called without one", async () => {
    await at(client(), "acmeCrm.ping")();
    expect(gateway.requests[0]?.body).toEqual({ input: {} });
    expect(gateway.requests[0]?.headers["x-waygate-version"]).toBe("2");
  });

  test("calls onVersionMismatch when Waygate executed another version", async () => {
    const mismatches: unknown[] = [];
    gateway.reply({ body: { ok: true }, headers: { "X-Waygate-Version-Executed": "8", "X-Waygate-Attempts": "1" } });
    await at(client({ onVersionMismatch: (mismatch: unknown) => mismatches.push(mismatch) }), "slack.chat.postMessage")({ channel: "C1" });
    expect(mismatches).toEqual([{ integration: "slack", action: "chat.postMessage", expected: 7, executed: 8 }]);
  });

  test("does not call onVersionMismatch when the versions agree", async () => {
    const mismatches: unknown[] = [];
    gateway.reply({ body: { ok: true }, headers: { "X-Waygate-Version-Executed": "7" } });
    await at(client({ onVersionMismatch: (mismatch: unknown) => mismatches.push(mismatch) }), "slack.chat.postMessage")({ channel: "C1" });
    expect(mismatches).toEqual([]);
  });

  test("a client object is not a thenable, so it can be awaited and returned from async code", async () => {
    const wg = client();
    expect(await Promise.resolve(wg)).toBe(wg);
    expect(gateway.requests).toHaveLength(0);
  });

  test("the client is plain nested objects: keys in member order, actions as ordinary own properties", () => {
    const wg = client();
    expect(Object.keys(wg)).toEqual(["acmeCrm", "slack"]);
    expect(Object.keys(at(wg, "acmeCrm"))).toEqual(["contacts", "deals", "events", "ping"]);
    expect(Object.keys(at(wg, "acmeCrm.contacts"))).toEqual(["list", "tags"]);
    expect(Object.keys(at(wg, "acmeCrm.contacts.tags"))).toEqual(["replace"]);
    expect(Object.getPrototypeOf(at(wg, "acmeCrm.contacts"))).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(at(wg, "acmeCrm.contacts"), "list")).toMatchObject({ enumerable: true, writable: true, configurable: true });
    expect(typeof at(wg, "acmeCrm.ping")).toBe("function");
  });
});

describe("options.fetch", () => {
  /** The least a fetch must give (FetchLike): a status, headers.get and text(); no `ok`, no statusText. */
  function minimalFetch(status: number, headers: Record<string, string>, text: string): { fetch: unknown; calls: { url: string; init: Record<string, unknown> }[] } {
    const calls: { url: string; init: Record<string, unknown> }[] = [];
    const fetch = async (url: string, init: Record<string, unknown>) => {
      calls.push({ url, init });
      return { status, headers: { get: (name: string) => headers[name.toLowerCase()] ?? null }, text: async () => text };
    };
    return { fetch, calls };
  }

  test("a minimal fetch is enough: it gets the JSON POST with a signal, and its answer is read", async () => {
    const { fetch, calls } = minimalFetch(200, { "content-type": "application/json" }, JSON.stringify({ ok: true }));
    const wg = generated.createWaygate({ apiKey: "k", baseUrl: "https://wg.test/", fetch });
    expect(await at(wg, "slack.chat.postMessage")({ channel: "C1" })).toEqual({ ok: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("https://wg.test/v1/invoke/slack/chat.postMessage");
    expect(calls[0]?.init).toMatchObject({ method: "POST", headers: { Authorization: "Bearer k" }, body: JSON.stringify({ input: { channel: "C1" } }) });
    expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
  });

  test("errors from a minimal fetch: the status decides the class, without statusText the title is `HTTP <status>`", async () => {
    const { fetch } = minimalFetch(429, { "retry-after": "120" }, "slow down");
    const error = await rejection(at(generated.createWaygate({ apiKey: "k", fetch }), "slack.users.info")({ user: "U1" }));
    expect(error).toBeInstanceOf(generated.RateLimitError);
    expect(error.message).toBe("429 HTTP 429: slow down");
    expect(error.retryAfter).toBe(120);
    expect((error.headers as { get(name: string): string | null }).get("Retry-After")).toBe("120");
  });
});

describe("typed errors", () => {
  const cases: [number, keyof GeneratedModule][] = [
    [400, "BadRequestError"],
    [401, "AuthenticationError"],
    [403, "PermissionDeniedError"],
    [404, "NotFoundError"],
    [409, "ConflictError"],
    [422, "UnprocessableEntityError"],
    [429, "RateLimitError"],
    [500, "InternalServerError"],
    [502, "InternalServerError"],
    [418, "WaygateError"],
  ];
  test.each(cases)("maps %i to %s with the problem body", async (status, name) => {
    const problem = { type: "https://waygate.dev/problems/x", title: "Nope", status, detail: "because", errors: [{ field: "input.channel", message: "required" }] };
    gateway.reply({ status, body: problem });
    const error = await rejection(at(client({ retries: 0 }), "slack.chat.postMessage")({ channel: "C1" }));
    expect(error).toBeInstanceOf(generated[name]);
    expect(error).toBeInstanceOf(generated.WaygateError);
    expect(error.name).toBe(name);
    expect(error.status).toBe(status);
    expect(error.problem).toEqual(problem);
    expect(error.message).toContain("because");
  });

  test("a non-JSON error body becomes a problem with the text as detail", async () => {
    gateway.reply({ status: 404, body: "no such thing", headers: { "content-type": "text/plain" } });
    const error = await rejection(at(client(), "slack.users.info")({ user: "U1" }));
    expect(error).toBeInstanceOf(generated.NotFoundError);
    expect(error.problem).toMatchObject({ status: 404, detail: "no such thing" });
  });

  test("RateLimitError carries retryAfter in seconds", async () => {
    gateway.reply({ status: 429, body: { title: "Slow down", status: 429 }, headers: { "Retry-After": "120" } });
    const error = await rejection(at(client(), "slack.chat.postMessage")({ channel: "C1" }));
    expect(error.retryAfter).toBe(120);
    // 120 s is above the 60 s the client waits out itself: thrown at once, no retry.
    expect(gateway.requests).toHaveLength(1);
  });

  test("a refused connection is a ConnectionError", async () => {
    const closed = await startGateway();
    await closed.close();
    const error = await rejection(at(generated.createWaygate({ apiKey: "k", baseUrl: closed.url, retries: 0 }), "slack.users.info")({ user: "U1" }));
    expect(error).toBeInstanceOf(generated.ConnectionError);
    expect(error.status).toBeUndefined();
  });

  test("a slow answer is a TimeoutError (per-call timeout)", async () => {
    gateway.reply({ delay: 400, body: { ok: true } });
    const error = await rejection(at(client({ retries: 0 }), "slack.users.info")({ user: "U1" }, { timeout: 50 }));
    expect(error).toBeInstanceOf(generated.TimeoutError);
    expect(error).toBeInstanceOf(generated.ConnectionError);
  });

  test("an aborted signal rejects with its reason and is not retried", async () => {
    gateway.reply({ delay: 400, body: { ok: true } });
    const controller = new AbortController();
    const call = at(client({ retries: 3 }), "slack.users.info")({ user: "U1" }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(call);
    expect(error.name).toBe("AbortError");
    expect(gateway.requests).toHaveLength(1);
  });

  test("requires an API key", () => {
    expect(() => generated.createWaygate({ apiKey: "" })).toThrow(/apiKey/);
  });
});

describe("retries", () => {
  test("retries an idempotent (GET) action on 503 with backoff, then succeeds", async () => {
    gateway.reply({ status: 503, body: { title: "Unavailable", status: 503 } }, { status: 503, body: { title: "Unavailable" } }, { body: { ok: true } });
    const result = await at(client(), "slack.users.info")({ user: "U1" });
    expect(result).toEqual({ ok: true });
    expect(gateway.requests).toHaveLength(3);
  });

  test("honours Retry-After in seconds on 429", async () => {
    gateway.reply({ status: 429, body: { title: "Slow down" }, headers: { "Retry-After": "1" } }, { body: { ok: true } });
    await at(client(), "slack.users.info")({ user: "U1" });
    const [first, second] = gateway.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  test("honours Retry-After as an HTTP date on 503", async () => {
    const when = new Date(Date.now() + 2000).toUTCString();
    gateway.reply({ status: 503, body: { title: "Later" }, headers: { "Retry-After": when } }, { body: { ok: true } });
    await at(client(), "slack.users.info")({ user: "U1" });
    const [first, second] = gateway.requests;
    // HTTP dates have one-second resolution.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  test("stops after `retries` extra attempts", async () => {
    gateway.reply({ status: 500, body: { title: "Broken" } });
    const error = await rejection(at(client({ retries: 1 }), "slack.users.info")({ user: "U1" }));
    expect(error).toBeInstanceOf(generated.InternalServerError);
    expect(gateway.requests).toHaveLength(2);
  });

  test("does not retry a non-idempotent (POST) action without an idempotency key", async () => {
    gateway.reply({ status: 503, body: { title: "Unavailable" } }, { body: { ok: true } });
    const error = await rejection(at(client(), "slack.chat.postMessage")({ channel: "C1" }));
    expect(error).toBeInstanceOf(generated.InternalServerError);
    expect(gateway.requests).toHaveLength(1);
  });

  test("retries a POST action when it carries an idempotency key", async () => {
    gateway.reply({ status: 503, body: { title: "Unavailable" } }, { body: { ok: true } });
    const result = await at(client(), "slack.chat.postMessage")({ channel: "C1" }, { idempotencyKey: "k1" });
    expect(result).toEqual({ ok: true });
    expect(gateway.requests.map((request) => request.headers["idempotency-key"])).toEqual(["k1", "k1"]);
  });

  test("does not retry a 4xx other than 408 and 429", async () => {
    gateway.reply({ status: 409, body: { title: "Conflict" } }, { body: { ok: true } });
    await rejection(at(client(), "slack.users.info")({ user: "U1" }));
    expect(gateway.requests).toHaveLength(1);
  });

  test("per-call retries override the client default", async () => {
    gateway.reply({ status: 503, body: { title: "Unavailable" } });
    await rejection(at(client({ retries: 5 }), "slack.users.info")({ user: "U1" }, { retries: 0 }));
    expect(gateway.requests).toHaveLength(1);
  });
});

describe("pagination", () => {
  async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
    const items: unknown[] = [];
    for await (const item of iterable) items.push(item);
    return items;
  }

  test("cursor: sends the next cursor from nextCursorPath until it is empty", async () => {
    gateway.reply(
      { body: { ok: true, channels: [{ id: "C1" }, { id: "C2" }], response_metadata: { next_cursor: "abc" } } },
      { body: { ok: true, channels: [{ id: "C3" }], response_metadata: { next_cursor: "" } } },
    );
    const items = await collect(at<Paged>(client(), "slack.conversations.list").paginate({ limit: 2 }, { connection: "c1" }));
    expect(items).toEqual([{ id: "C1" }, { id: "C2" }, { id: "C3" }]);
    expect(gateway.requests.map((request) => request.body)).toEqual([
      { input: { limit: 2 }, paginate: false, connection: "c1" },
      { input: { limit: 2, cursor: "abc" }, paginate: false, connection: "c1" },
    ]);
  });

  test("cursor: stops when the upstream repeats a cursor", async () => {
    gateway.reply({ body: { channels: [{ id: "C1" }], response_metadata: { next_cursor: "same" } } });
    const items = await collect(at<Paged>(client(), "slack.conversations.list").paginate());
    expect(items).toHaveLength(2);
    expect(gateway.requests).toHaveLength(2);
  });

  test("offset: advances by the items received and stops on a short page", async () => {
    gateway.reply({ body: { data: [{ id: 1 }, { id: 2 }] } }, { body: { data: [{ id: 3 }] } });
    const items = await collect(at<Paged>(client(), "acmeCrm.contacts.list").paginate({ limit: 2 }));
    expect(items).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(gateway.requests.map((request) => request.body.input)).toEqual([{ limit: 2 }, { limit: 2, offset: 2 }]);
  });

  test("page: increments the page until an empty page (body is the array)", async () => {
    gateway.reply({ body: [{ id: "d1" }] }, { body: [{ id: "d2" }] }, { body: [] });
    const items = await collect(at<Paged>(client(), "acmeCrm.deals.search").paginate({ query: "x" }));
    expect(items).toEqual([{ id: "d1" }, { id: "d2" }]);
    expect(gateway.requests.map((request) => request.body.input)).toEqual([{ query: "x" }, { query: "x", page: 2 }, { query: "x", page: 3 }]);
  });

  test("page: stops on a page shorter than the page size", async () => {
    gateway.reply({ body: [{ id: "d1" }, { id: "d2" }] }, { body: [{ id: "d3" }] });
    const items = await collect(at<Paged>(client(), "acmeCrm.deals.search").paginate({ query: "x", page: 5, per_page: 2 }));
    expect(items).toHaveLength(3);
    expect(gateway.requests.map((request) => request.body.input)).toEqual([
      { query: "x", page: 5, per_page: 2 },
      { query: "x", page: 6, per_page: 2 },
    ]);
  });

  test("link: sends the X-Waygate-Next-Page token back as body field `page`", async () => {
    gateway.reply(
      { body: [{ id: "e1" }], headers: { "X-Waygate-Next-Page": "tok-2" } },
      { body: [{ id: "e2" }], headers: { "X-Waygate-Next-Page": "tok-3" } },
      { body: [{ id: "e3" }] },
    );
    const items = await collect(at<Paged>(client(), "acmeCrm.events.list").paginate({ since: "2024-01-01T00:00:00Z" }));
    expect(items).toEqual([{ id: "e1" }, { id: "e2" }, { id: "e3" }]);
    expect(gateway.requests.map((request) => request.body)).toEqual([
      { input: { since: "2024-01-01T00:00:00Z" }, paginate: false },
      { input: { since: "2024-01-01T00:00:00Z" }, paginate: false, page: "tok-2" },
      { input: { since: "2024-01-01T00:00:00Z" }, paginate: false, page: "tok-3" },
    ]);
  });

  test("a page that fails with a typed error ends the loop with that error", async () => {
    gateway.reply({ body: [{ id: "e1" }], headers: { "X-Waygate-Next-Page": "t" } }, { status: 403, body: { title: "Forbidden" } });
    const iterable = at<Paged>(client(), "acmeCrm.events.list").paginate();
    const error = await rejection(collect(iterable));
    expect(error).toBeInstanceOf(generated.PermissionDeniedError);
  });

  test("only paginated actions have paginate()", () => {
    expect(typeof at<Paged>(client(), "slack.chat.postMessage").paginate).toBe("undefined");
    expect(typeof at<Paged>(client(), "slack.conversations.list").paginate).toBe("function");
  });
});
