import { pino } from "pino";
import type { Logger } from "../lib/logger.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `json`: one JSON object per line (for log collectors); `pretty`: one short line for people. */
export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where each finished line goes (without its newline). */
  writeLine: (line: string) => void;
  /** Colours in the pretty format. */
  color?: boolean;
}

/**
 * The server's logger: pino, writing JSON lines, or handing each line to a small printer
 * for the pretty format. (pino-pretty would bring eight more packages for one line's layout.)
 */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.format === "pretty";
  const destination = {
    write: (chunk: string) => {
      const line = chunk.endsWith("\n") ? chunk.slice(0, -1) : chunk;
      options.writeLine(pretty ? prettyLine(line, options.color ?? false) : line);
    },
  };
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers: readable as they are, and what most collectors map.
      formatters: { level: (label) => ({ level: label }) },
      base: { pid: process.pid },
    },
    destination,
  );
}

const LEVEL_COLORS: Record<string, string> = { trace: "90", debug: "90", info: "32", warn: "33", error: "31", fatal: "31" };
/** Fields the pretty line shows in its fixed part; the rest follow as key=value. */
const SHOWN = new Set(["level", "time", "msg", "pid", "method", "route", "status", "durationMs"]);

/** `12:03:04 INFO  GET /v1/apps 200 3.1ms requestId=… tenantId=…` */
export function prettyLine(json: string, color: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = String(record.level ?? "info");
  const time = typeof record.time === "string" ? record.time.slice(11, 19) : "";
  const label = level.toUpperCase().padEnd(5);
  const paint = (code: string | undefined, text: string) => (color && code ? `\u001b[${code}m${text}\u001b[39m` : text);
  const head =
    record.method !== undefined
      ? `${String(record.method)} ${String(record.route ?? "(no route)")} ${String(record.status)} ${String(record.durationMs)}ms`
      : String(record.msg ?? "");
  const rest = Object.entries(record)
    .filter(([key, value]) => !SHOWN.has(key) && value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [time, paint(LEVEL_COLORS[level], label), head, ...rest].filter(Boolean).join(" ");
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value !== null && typeof value === "object" && "stack" in value && typeof value.stack === "string") return `\n${value.stack}`;
  return JSON.stringify(value);
}
