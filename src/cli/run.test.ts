import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { ApiError, NetworkError, UnexpectedResponseError } from "../client/index.js";
import { AuthError, ExitCode, UsageError } from "./errors.js";
import { createBufferIO } from "./io.js";
import { exitCodeForStatus, report } from "./run.js";

const problem = { type: "https://waygate.dev/problems/not-found", title: "Not found", status: 404, detail: 'integration "x" not found' };

describe("error reporting", () => {
  it.each([
    [401, ExitCode.auth],
    [403, ExitCode.auth],
    [404, ExitCode.notFound],
    [409, ExitCode.conflict],
    [400, ExitCode.usage],
    [422, ExitCode.error],
    [429, ExitCode.error],
    [500, ExitCode.error],
  ])("maps HTTP %i to exit %i", (status, code) => expect(exitCodeForStatus(status)).toBe(code));

  it("prints the API's problem+json on stderr with --json, and nothing on stdout", () => {
    const io = createBufferIO();
    expect(report(new ApiError(404, problem), io, { json: true, debug: false })).toBe(3);
    expect(JSON.parse(io.stderr())).toEqual(problem);
    expect(io.stdout()).toBe("");
  });

  it("prints one plain line without --json", () => {
    const io = createBufferIO();
    expect(report(new AuthError("not logged in"), io, { json: false, debug: false })).toBe(4);
    expect(io.stderr()).toBe("error: not logged in\n");
  });

  it("adds a hint for the server on network errors (exit 6)", () => {
    const io = createBufferIO();
    expect(report(new NetworkError("cannot reach the Waygate API at http://x: connection refused", "ECONNREFUSED"), io, { json: false, debug: false })).toBe(6);
    expect(io.stderr()).toContain("waygate server start");
  });

  it("keeps stack traces for --debug and points unexpected errors at --debug", () => {
    const quiet = createBufferIO();
    expect(report(new TypeError("boom"), quiet, { json: false, debug: false })).toBe(1);
    expect(quiet.stderr()).toContain("Re-run with --debug");
    expect(quiet.stderr()).not.toContain("\n    at ");
    const loud = createBufferIO();
    report(new UsageError("bad"), loud, { json: false, debug: true });
    expect(loud.stderr()).toContain("UsageError: bad\n    at ");
  });

  it("prints a 400 as a usage error (exit 2) with its field list, and no bug banner", () => {
    const invalid = {
      type: "https://waygate.dev/problems/validation",
      title: "Request validation failed",
      status: 400,
      detail: "params.slug: Invalid string (and 1 more)",
      errors: [
        { field: "params.slug", message: "Invalid string" },
        { field: "query.limit", message: "Too big" },
      ],
    };
    const io = createBufferIO();
    expect(report(new ApiError(400, invalid), io, { json: false, debug: false })).toBe(ExitCode.usage);
    expect(io.stderr()).toBe("error: params.slug: Invalid string (and 1 more)\n  params.slug: Invalid string\n  query.limit: Too big\n");
  });

  it("does not repeat a single field error the message already states", () => {
    const io = createBufferIO();
    const one = { type: "https://waygate.dev/problems/validation", title: "Request validation failed", status: 400, detail: "body.x: Required", errors: [{ field: "body.x", message: "Required" }] };
    report(new ApiError(400, one), io, { json: false, debug: false });
    expect(io.stderr()).toBe("error: body.x: Required\n");
  });

  it.each([
    ["an unexpected exception", new TypeError("boom"), true],
    ["the server's own 500", new ApiError(500, { type: "https://waygate.dev/problems/internal", title: "Internal server error", status: 500 }), true],
    ["a proxy's 502", new ApiError(502, { type: "about:blank", title: "HTTP 502", status: 502 }), false],
    ["a 429", new ApiError(429, { type: "about:blank", title: "Too many requests", status: 429 }), false],
    ["a contract mismatch", new UnexpectedResponseError("listApps: the server's response does not match"), false],
    ["a usage error", new UsageError("bad flag"), false],
  ])("for %s, shows the bug banner: %s", (_name, error, banner) => {
    const io = createBufferIO();
    report(error, io, { json: false, debug: false });
    expect(io.stderr().includes("This looks like a bug in waygate")).toBe(banner);
  });

  it("prints commander's usage errors as problem+json under --json (exit 2)", () => {
    const io = createBufferIO();
    const error = new CommanderError(1, "commander.unknownOption", "error: unknown option '--serch'\n(Did you mean --search?)");
    expect(report(error, io, { json: true, debug: false })).toBe(ExitCode.usage);
    expect(JSON.parse(io.stderr())).toEqual({
      type: "https://waygate.dev/problems/usage",
      title: "Usage error",
      status: 0,
      detail: "unknown option '--serch'\n(Did you mean --search?)",
      code: "commander.unknownOption",
    });
    const text = createBufferIO();
    expect(report(error, text, { json: false, debug: false })).toBe(ExitCode.usage);
    expect(text.stderr()).toBe("");
  });

  it("prints the CLI's own usage errors with the same problem type under --json", () => {
    const io = createBufferIO();
    expect(report(new UsageError("pass --connection or --user, not both"), io, { json: true, debug: false })).toBe(ExitCode.usage);
    expect(JSON.parse(io.stderr())).toMatchObject({ type: "https://waygate.dev/problems/usage", title: "Usage error", detail: "pass --connection or --user, not both" });
  });
});
