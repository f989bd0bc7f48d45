import { describe, expect, it } from "vitest";
import { createLogger, prettyLine } from "./logging.js";

describe("server logger", () => {
  it("writes JSON lines with level names and ISO times, and drops lines below its level", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", format: "json", writeLine: (line) => lines.push(line) });
    logger.debug({ jobId: "job_1" }, "hidden");
    logger.warn({ jobId: "job_1" }, "job failed; it will be retried");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "warn", jobId: "job_1", msg: "job failed; it will be retried", time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it("prints a request as one short line for people, colour only when asked", () => {
    const record = JSON.stringify({ level: "info", time: "2026-11-30T12:03:04.005Z", pid: 1, method: "GET", route: "/v1/apps", status: 200, durationMs: 3.1, requestId: "r1", tenantId: "ten_1", appId: null, msg: "request" });
    expect(prettyLine(record, false)).toBe("12:03:04 INFO  GET /v1/apps 200 3.1ms requestId=r1 tenantId=ten_1");
    expect(prettyLine(record, true)).toContain("\u001b[32mINFO \u001b[39m");
  });

  it("prints other lines by their message and fields", () => {
    const record = JSON.stringify({ level: "error", time: "2026-11-30T12:03:04.005Z", msg: "job failed", jobId: "job_1", error: "upstream said no" });
    expect(prettyLine(record, false)).toBe('12:03:04 ERROR job failed jobId=job_1 error="upstream said no"');
  });
});
