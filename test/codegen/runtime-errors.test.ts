/**
 * How the generated client fails, retries and walks pages, against a fake Waygate on
 * loopback HTTP: errors say who failed (the upstream, Waygate, or nobody answered) by
 * class and carry the request id; only what never reached Waygate is retried; pages
 * follow Waygate's `x-waygate-next-page` tokens and nothing else.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { InvokeProblemTypes } from "../../src/contract/invoke.js";
import { removeDir, transpile, writeFiles } from "./support/compile.js";
import { upstreamError, waygateProblem } from "./support/fake-waygate.js";
import { at, type ErrorClassName, type Paged } from "./support/load-client.js";
import { collect, rejection, useRuntime } from "./support/runtime-setup.js";

const setup = useRuntime();
const classes = (): Record<ErrorClassName, abstract new (...args: never[]) => unknown> => setup.loaded.module;

describe("the upstream failed: APIError by the upstream's status", () => {
  const cases: [number, ErrorClassName][] = [
    [400, "BadRequestError"],
    [401, "AuthenticationError"],
    [403, "PermissionDeniedError"],
    [404, "NotFoundError"],
    [409, "ConflictError"],
    [422, "UnprocessableEntityError"],
    [429, "RateLimitError"],
    [500, "InternalServerError"],
    [503, "InternalServerError"],
    [418, "APIError"],
  ];
  test.each(cases)("upstream %i is %s, with the upstream's status, headers and body, and Waygate's request id", async (status, name) => {
    setup.waygate.on("slack", "users.info", () => upstreamError(status, { message: "Nope" }, { "x-upstream": "1" }));
    const error = await rejection(at(setup.client(), "slack.users.info")({ user: "U1" }));
    expect(error).toBeInstanceOf(classes()[name]!);
    expect(error).toBeInstanceOf(classes().APIError!);
    expect(error).toBeInstanceOf(classes().WaygateError!);
    expect(error).not.toBeInstanceOf(classes().WaygateProblemError!);
    expect(error.name).toBe(name);
    expect(error.upstream).toEqual({ status, headers: { "x-upstream": "1" }, body: { message: "Nope" } });
    expect(error.status).toBe(status);
    expect(error.requestId).toBe(setup.waygate.received[0]?.headers["x-request-id"]);
    // 503 included: the upstream's answer reached Waygate, which already retried it.
    expect(setup.waygate.received).toHaveLength(1);
  });

  test.each([
    ["GitHub", { message: "Not Found", documentation_url: "https://docs.github.com" }, "Not Found"],
    ["Stripe", { error: { type: "invalid_request_error", message: "No such customer: 'cus_1'" } }, "No such customer: 'cus_1'"],
    ["Slack", { ok: false, error: "channel_not_found" }, "channel_not_found"],
    ["OAuth", { error: "invalid_grant", error_description: "The refresh token has expired" }, "The refresh token has expired"],
    ["a problem+json API", { type: "about:blank", title: "Bad", detail: "amount must be positive" }, "amount must be positive"],
    ["JSON:API", { errors: [{ status: "404", detail: "Article 9 is gone" }] }, "Article 9 is gone"],
    ["a text body", "upstream exploded\n  badly", "upstream exploded badly"],
  ])("the message quotes %s's own message", async (_api, body, quoted) => {
    setup.waygate.on("slack", "users.info", () => upstreamError(404, body));
    const error = await rejection(at(setup.client(), "slack.users.info")({ user: "U1" }));
    expect(error.message).toBe(`slack.users.info: the upstream answered 404: ${quoted} (request ${String(error.requestId)})`);
  });

  test("RateLimitError.retryAfter comes from retry-after-ms, else Retry-After, in seconds", async () => {
    setup.waygate.on("slack", "users.info", (_request, index) =>
      upstreamError(429, { message: "slow down" }, index === 0 ? { "retry-after": "2", "retry-after-ms": "1500" } : { "retry-after": "120" }),
    );
    const call = at(setup.client(), "slack.users.info");
    expect((await rejection(call({ user: "U1" }))).retryAfter).toBe(1.5);
    expect((await rejection(call({ user: "U1" }))).retryAfter).toBe(120);
    expect(setup.waygate.received).toHaveLength(2);
  });
});

describe("Waygate refused or failed: its own classes, never the upstream's", () => {
  const cases: [string, number, ErrorClassName][] = [
    [InvokeProblemTypes.invalidInput, 400, "InvalidInputError"],
    ["https://waygate.dev/problems/validation", 400, "InvalidInputError"],
    [InvokeProblemTypes.connectionRequired, 400, "ConnectionRequiredError"],
    [InvokeProblemTypes.connectionNotFound, 404, "ConnectionNotFoundError"],
    [InvokeProblemTypes.authMissing, 401, "AuthMissingError"],
    [InvokeProblemTypes.oauthRefreshFailed, 502, "OAuthRefreshFailedError"],
    [InvokeProblemTypes.versionMismatch, 409, "VersionMismatchError"],
    ["https://waygate.dev/problems/forbidden", 403, "WaygatePermissionDeniedError"],
    ["https://waygate.dev/problems/not-found", 404, "WaygateNotFoundError"],
    [InvokeProblemTypes.rateLimitWaitExceeded, 429, "WaygateRateLimitError"],
    [InvokeProblemTypes.upstreamUnreachable, 502, "UpstreamUnreachableError"],
    [InvokeProblemTypes.upstreamTimeout, 504, "UpstreamTimeoutError"],
    [InvokeProblemTypes.upstreamResponseTooLarge, 502, "UpstreamResponseTooLargeError"],
    [InvokeProblemTypes.invalidOutput, 502, "InvalidOutputError"],
    [InvokeProblemTypes.invalidPageToken, 400, "InvalidPageTokenError"],
    [InvokeProblemTypes.collectionTooLarge, 507, "WaygateProblemError"],
    ["https://waygate.dev/problems/something-new", 500, "WaygateProblemError"],
  ];
  test.each(cases)("%s (%i) is %s, with the problem, and is not retried", async (type, status, name) => {
    setup.waygate.on("slack", "users.info", () => waygateProblem(type, status, "Because"));
    const error = await rejection(at(setup.client(), "slack.users.info")({ user: "U1" }));
    expect(error).toBeInstanceOf(classes()[name]!);
    expect(error).toBeInstanceOf(classes().WaygateProblemError!);
    expect(error).not.toBeInstanceOf(classes().APIError!);
    expect(error.name).toBe(name);
    expect(error.problem).toMatchObject({ type, status, detail: "Because" });
    expect(error.message).toBe(`slack.users.info: Because (request ${String(error.requestId)})`);
    expect(setup.waygate.received).toHaveLength(1);
  });

  test('"connection not found" is not a NotFoundError: `catch (e) { if (e instanceof NotFoundError) return null }` does not swallow it', async () => {
    setup.waygate.on("slack", "users.info", () => waygateProblem(InvokeProblemTypes.connectionNotFound, 404, "No connection user_9"));
    const lookup = async (): Promise<unknown> => {
      try {
        return await at(setup.client(), "slack.users.info")({ user: "U1" }, { connection: "user_9" });
      } catch (error) {
        if (error instanceof classes().NotFoundError!) return null;
        throw error;
      }
    };
    expect(await rejection(lookup())).toBeInstanceOf(classes().ConnectionNotFoundError!);
  });

  test("InvalidInputError lists the fields", async () => {
    const errors = [{ field: "input.channel", message: "required" }];
    setup.waygate.on("slack", "chat.postMessage", () => waygateProblem(InvokeProblemTypes.invalidInput, 400, "Invalid input", { errors }));
    expect((await rejection(at(setup.client(), "slack.chat.postMessage")({}))).errors).toEqual(errors);
  });

  test("a wrong API key is WaygateAuthenticationError", async () => {
    const error = await rejection(at(setup.client({ apiKey: "wg_wrong" }), "slack.users.info")({ user: "U1" }));
    expect(error).toBeInstanceOf(classes().WaygateAuthenticationError!);
    expect(error).not.toBeInstanceOf(classes().AuthenticationError!);
  });

  test("WaygateRateLimitError.retryAfter, in seconds", async () => {
    setup.waygate.on("slack", "users.info", () => waygateProblem(InvokeProblemTypes.rateLimitWaitExceeded, 429, "Later", {}, { "retry-after": "90", "retry-after-ms": "90000" }));
    expect((await rejection(at(setup.client(), "slack.users.info")({ user: "U1" }))).retryAfter).toBe(90);
  });

  test("strictVersion: Waygate refuses another version with 409, a VersionMismatchError", async () => {
    setup.waygate.deployed.set("slack", 8);
    expect(await rejection(at(setup.client({ strictVersion: true }), "slack.users.info")({ user: "U1" }))).toBeInstanceOf(classes().VersionMismatchError!);
  });

  test("ProblemTypes names the type URLs", () => {
    expect(setup.loaded.module.ProblemTypes.invalidInput).toBe(InvokeProblemTypes.invalidInput);
    expect(setup.loaded.module.ProblemTypes.notFound).toBe("https://waygate.dev/problems/not-found");
  });
});

describe("no answer from Waygate", () => {
  async function closedPort(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${port}`;
  }

  test("a refused connection is an APIConnectionError (alias ConnectionError) with the request id it sent", async () => {
    const wg = setup.loaded.module.createWaygate({ apiKey: "k", baseUrl: await closedPort(), retries: 0 });
    const error = await rejection(at(wg, "slack.users.info")({ user: "U1" }, { requestId: "trace-9" }));
    expect(error).toBeInstanceOf(classes().APIConnectionError!);
    expect(classes().ConnectionError).toBe(classes().APIConnectionError);
    expect([error.status, error.requestId]).toEqual([undefined, "trace-9"]);
    expect(error.message).toMatch(/could not reach Waygate at http:\/\/127\.0\.0\.1:\d+: fetch failed \(ECONNREFUSED\)/);
  });

  test("a slow answer is an APIConnectionTimeoutError (alias TimeoutError), and not retried", async () => {
    setup.waygate.on("slack", "users.info", () => ({ delay: 1_000, body: {} }));
    const error = await rejection(at(setup.client(), "slack.users.info")({ user: "U1" }, { timeout: 50 }));
    expect(error).toBeInstanceOf(classes().APIConnectionTimeoutError!);
    expect(error).toBeInstanceOf(classes().APIConnectionError!);
    expect(classes().TimeoutError).toBe(classes().APIConnectionTimeoutError);
    expect(setup.waygate.received).toHaveLength(1);
  });

  test("an aborted signal is an APIUserAbortError with the signal's reason as cause, and not retried", async () => {
    setup.waygate.on("slack", "users.info", () => ({ delay: 1_000, body: {} }));
    const controller = new AbortController();
    const call = at(setup.client({ retries: 3 }), "slack.users.info")({ user: "U1" }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user left")), 50);
    const error = await rejection(call);
    expect(error).toBeInstanceOf(classes().APIUserAbortError!);
    expect(error).toBeInstanceOf(classes().WaygateError!);
    expect((error.cause as Error).message).toBe("user left");
    expect(typeof error.requestId).toBe("string");
    expect(setup.waygate.received).toHaveLength(1);
  });

  test("an abort while the client waits to retry ends the wait at once, as an APIUserAbortError", async () => {
    setup.waygate.on("slack", "users.info", () => ({ status: 503, headers: { "content-type": "text/html", "retry-after-ms": "30000" }, body: "<h1>503</h1>" }));
    const controller = new AbortController();
    const started = Date.now();
    const call = at(setup.client({ retries: 3 }), "slack.users.info")({ user: "U1" }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user left")), 100);
    const error = await rejection(call);
    expect(error).toBeInstanceOf(classes().APIUserAbortError!);
    expect((error.cause as Error).message).toBe("user left");
    // Not the 30 s the proxy asked for.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(setup.waygate.received).toHaveLength(1);
  });

  test("a JSON content type over a body that is not JSON is a WaygateError naming the call, with the answer's status and request id", async () => {
    setup.waygate.on("slack", "users.info", () => ({ headers: { "content-type": "application/json" }, body: "{not json" }));
    const error = await rejection(at(setup.client(), "slack.users.info")({ user: "U1" }, { requestId: "trace-7" }));
    expect(error).toBeInstanceOf(classes().WaygateError!);
    expect(error).not.toBeInstanceOf(classes().APIError!);
    expect(error.message).toBe("slack.users.info: Waygate sent a JSON content type with a body that is not JSON (request trace-7)");
    expect([error.status, error.requestId, error.cause instanceof SyntaxError]).toEqual([200, "trace-7", true]);
  });
});

describe("the network goes away", () => {
  test("in Node itself: the error module, fetched when the first call started, makes the APIConnectionError when it can no longer be loaded; one that could not be fetched is tried again", () => {
    const dir = writeFiles(setup.loaded.files);
    transpile(setup.loaded.files, dir);
    const script = join(dir, "offline.mjs");
    writeFileSync(
      script,
      [
        `import { renameSync } from "node:fs";`,
        `import { APIConnectionError, createWaygate } from "./index.js";`,
        `const ok = () => new Response('{"ok":true}', { headers: { "content-type": "application/json" } });`,
        `// Online: a round trip of 300 ms. Offline: fetch fails, and so would fetching a chunk not fetched yet.`,
        `let online = true;`,
        `const fetch = async () => { if (!online) throw new TypeError("fetch failed"); await new Promise((resolve) => setTimeout(resolve, 300)); return ok(); };`,
        `const gone = (file) => renameSync(file, file + ".gone");`,
        `const back = (file) => renameSync(file + ".gone", file);`,
        `const outcome = (promise) => promise.then(() => "ok", (error) => (error instanceof APIConnectionError ? "APIConnectionError: " + error.message : error.code ?? error.name));`,
        `const out = {};`,
        `// Offline from the start: the first call cannot fetch the error module either.`,
        `const first = createWaygate({ apiKey: "k", baseUrl: "https://waygate.example.com", fetch, retries: 0 });`,
        `online = false;`,
        `gone("runtime-error-map.js");`,
        `out.offlineAtStart = await outcome(first.slack.users.info({ user: "U1" }));`,
        `// The next call tries again.`,
        `back("runtime-error-map.js");`,
        `online = true;`,
        `out.online = await outcome(first.slack.users.info({ user: "U1" }));`,
        `gone("runtime-error-map.js");`,
        `online = false;`,
        `out.offline = await outcome(first.slack.users.info({ user: "U1" }));`,
        `console.log(JSON.stringify(out));`,
      ].join("\n"),
    );
    try {
      const output = JSON.parse(execFileSync(process.execPath, [script], { cwd: dir, encoding: "utf8" })) as Record<string, string>;
      expect(output).toEqual({
        offlineAtStart: "ERR_MODULE_NOT_FOUND",
        online: "ok",
        offline: expect.stringMatching(/^APIConnectionError: slack\.users\.info: could not reach Waygate at https:\/\/waygate\.example\.com: fetch failed \(request wgc_\w+\)$/),
      });
    } finally {
      removeDir(dir);
    }
  });
});

describe("retries: only what never reached Waygate, only when safe", () => {
  const proxy503 = { status: 503, headers: { "content-type": "text/html" }, body: "<h1>503 Service Unavailable</h1>" };

  test("a 503 from a proxy in front (no x-waygate-error-source) is retried for a GET action, with the same request id", async () => {
    setup.waygate.on("slack", "users.info", (_request, index) => (index < 2 ? proxy503 : { body: { ok: true } }));
    expect(await at(setup.client(), "slack.users.info")({ user: "U1" })).toEqual({ ok: true });
    const ids = setup.waygate.received.map((request) => request.headers["x-request-id"]);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });

  test("after `retries` attempts the proxy's answer is an APIConnectionError", async () => {
    setup.waygate.on("slack", "users.info", () => proxy503);
    const error = await rejection(at(setup.client({ retries: 1 }), "slack.users.info")({ user: "U1" }));
    expect(error).toBeInstanceOf(classes().APIConnectionError!);
    expect([error.status, setup.waygate.received.length]).toEqual([503, 2]);
    expect(error.message).toContain("that is not Waygate: <h1>503 Service Unavailable</h1>");
  });

  test("retries: 0 means one attempt from the client and none at the gateway", async () => {
    setup.waygate.on("slack", "users.info", () => proxy503);
    await rejection(at(setup.client({ retries: 0 }), "slack.users.info")({ user: "U1" }));
    expect(setup.waygate.received.map((request) => request.body.retries)).toEqual([0]);
  });

  test("a POST action is not retried without an idempotency key, and is with one (the same key each time)", async () => {
    setup.waygate.on("slack", "chat.postMessage", (_request, index) => (index < 2 ? { status: 502, body: "bad gateway" } : { body: { ok: true } }));
    await rejection(at(setup.client(), "slack.chat.postMessage")({ channel: "C1" }));
    expect(await at(setup.client(), "slack.chat.postMessage")({ channel: "C1" }, { idempotencyKey: "k1" })).toEqual({ ok: true });
    expect(setup.waygate.received.map((request) => request.headers["idempotency-key"])).toEqual([undefined, "k1", "k1"]);
  });

  test("a dropped connection is retried for a GET and not for a POST", async () => {
    setup.waygate.on("slack", "users.info", (_request, index) => (index === 0 ? { hangUp: true } : { body: { ok: true } }));
    setup.waygate.on("slack", "chat.postMessage", () => ({ hangUp: true }));
    expect(await at(setup.client(), "slack.users.info")({ user: "U1" })).toEqual({ ok: true });
    expect(await rejection(at(setup.client(), "slack.chat.postMessage")({ channel: "C1" }))).toBeInstanceOf(classes().APIConnectionError!);
    expect(setup.waygate.received.map((request) => request.action)).toEqual(["users.info", "users.info", "chat.postMessage"]);
  });

  test("the proxy's Retry-After is honoured", async () => {
    setup.waygate.on("slack", "users.info", (_request, index) => (index === 0 ? { ...proxy503, headers: { "retry-after": "1" } } : { body: {} }));
    await at(setup.client(), "slack.users.info")({ user: "U1" });
    const [first, second] = setup.waygate.received;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  test("a Retry-After over 60 s is not waited out: the error comes at once", async () => {
    setup.waygate.on("slack", "users.info", () => ({ ...proxy503, headers: { "retry-after": "120" } }));
    await rejection(at(setup.client(), "slack.users.info")({ user: "U1" }));
    expect(setup.waygate.received).toHaveLength(1);
  });
});

describe("pagination follows Waygate's page tokens", () => {
  const pageOf = (items: unknown[], next?: string) => ({ body: { ok: true, channels: items }, headers: next ? { "x-waygate-next-page": next } : {} });

  test("paginate() yields the items at itemsPath, sending back each next-page token, the input unchanged", async () => {
    setup.waygate.on("slack", "conversations.list", (request) =>
      request.body.page === undefined ? pageOf([{ id: "C1" }, { id: "C2" }], "t2") : request.body.page === "t2" ? pageOf([{ id: "C3" }], "t3") : pageOf([]),
    );
    const items = await collect(at<Paged>(setup.client(), "slack.conversations.list").paginate({ limit: 2 }, { connection: "c1" }));
    expect(items).toEqual([{ id: "C1" }, { id: "C2" }, { id: "C3" }]);
    expect(setup.waygate.received.map((request) => request.body)).toEqual([
      { input: { limit: 2 }, connection: "c1", retries: 2 },
      { input: { limit: 2 }, page: "t2", connection: "c1", retries: 2 },
      { input: { limit: 2 }, page: "t3", connection: "c1", retries: 2 },
    ]);
  });

  test("without a token the first page is the last, whatever the body says about cursors", async () => {
    setup.waygate.on("slack", "conversations.list", () => ({ body: { channels: [{ id: "C1" }], response_metadata: { next_cursor: "abc" } } }));
    expect(await collect(at<Paged>(setup.client(), "slack.conversations.list").paginate())).toEqual([{ id: "C1" }]);
    expect(setup.waygate.received).toHaveLength(1);
  });

  test("pages() yields each page with its items, body, status, headers and request id", async () => {
    setup.waygate.on("acme-crm", "events.list", (request) => (request.body.page ? { body: [{ id: "e2" }] } : { body: [{ id: "e1" }], headers: { "x-waygate-next-page": "p2", link: "<x>; rel=next" } }));
    const pages = await collect(at<Paged>(setup.client(), "acmeCrm.events.list").pages());
    expect(pages.map((page) => [page.items, page.data, page.status, page.nextPage, typeof page.requestId])).toEqual([
      [[{ id: "e1" }], [{ id: "e1" }], 200, "p2", "string"],
      [[{ id: "e2" }], [{ id: "e2" }], 200, undefined, "string"],
    ]);
    expect((pages[0]?.headers as { get(name: string): string | null }).get("link")).toBe("<x>; rel=next");
  });

  test("maxItems stops mid-page and fetches no further page; maxPages stops after that many", async () => {
    setup.waygate.on("slack", "conversations.list", (_request, index) => pageOf([{ id: `C${2 * index}` }, { id: `C${2 * index + 1}` }], `t${index + 1}`));
    const paged = at<Paged>(setup.client(), "slack.conversations.list");
    expect(await collect(paged.paginate({}, { maxItems: 3 }))).toEqual([{ id: "C0" }, { id: "C1" }, { id: "C2" }]);
    expect(setup.waygate.received).toHaveLength(2);
    setup.waygate.received.length = 0;
    expect(await collect(paged.pages({}, { maxPages: 3 }))).toHaveLength(3);
    expect(setup.waygate.received).toHaveLength(3);
  });

  test("a token answered twice in a row ends the walk instead of looping", async () => {
    setup.waygate.on("slack", "conversations.list", () => pageOf([{ id: "C1" }], "same"));
    expect(await collect(at<Paged>(setup.client(), "slack.conversations.list").paginate())).toHaveLength(2);
  });

  test("an error on a later page is thrown from the loop, typed", async () => {
    setup.waygate.on("slack", "conversations.list", (request) => (request.body.page ? waygateProblem(InvokeProblemTypes.invalidPageToken, 400, "Expired token") : pageOf([{ id: "C1" }], "t2")));
    const seen: unknown[] = [];
    const error = await rejection((async () => {
      for await (const item of at<Paged>(setup.client(), "slack.conversations.list").paginate()) seen.push(item);
    })());
    expect([seen, error.name]).toEqual([[{ id: "C1" }], "InvalidPageTokenError"]);
  });

  test("only paginated actions have paginate() and pages()", () => {
    const wg = setup.client();
    expect([typeof at<Paged>(wg, "slack.chat.postMessage").paginate, typeof at<Paged>(wg, "slack.chat.postMessage").pages]).toEqual(["undefined", "undefined"]);
    expect([typeof at<Paged>(wg, "slack.conversations.list").paginate, typeof at<Paged>(wg, "slack.conversations.list").pages]).toEqual(["function", "function"]);
  });
});
