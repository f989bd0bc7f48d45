import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "../client/index.js";
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
    [400, ExitCode.error],
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
});
