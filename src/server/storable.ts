import type { FieldError, RouteSpec } from "../contract/index.js";
import { readCursor } from "../store/index.js";
import { HttpError } from "./errors.js";

/**
 * Request values that reach the upstream API or are kept as JSON documents, never as
 * database text nor as lookup keys: what they contain is not ours to refuse. Paths start
 * at the request location; `*` matches any array index or property name.
 */
const OPAQUE: Readonly<Record<string, ReadonlyArray<readonly string[]>>> = {
  invoke: [["body", "input"]],
  proxy: [["body", "body"], ["body", "query"]],
  createIntegration: [
    ["body", "actions", "*", "inputSchema"],
    ["body", "actions", "*", "outputSchema"],
    ["body", "actions", "*", "errors"],
  ],
  // The document itself: the importer parses it, and what it makes of it is checked before it is stored.
  startImport: [["body", "source", "content"]],
};

const NUL = "\u0000";
const LOCATIONS = ["params", "query", "headers", "body"] as const;

/**
 * Refuses, as a 400 naming each field, request text the store cannot take:
 * - a NUL (U+0000) in any identifier, name or other text of the request: Postgres refuses
 *   it in text (a 500 otherwise) and SQLite silently cuts the text off there (three end
 *   users "u\0a", "u\0b", "u\0c" stored as one "u"). Values the route passes through
 *   untouched (an invoke's `input`) are left alone: see OPAQUE.
 * - a `cursor` that this server did not issue, which would otherwise page from the start.
 * Runs on the request after the route's schemas validated it, before its handler.
 */
export function refuseUnstorableText(spec: RouteSpec, input: Readonly<Record<(typeof LOCATIONS)[number], unknown>>): void {
  const opaque = OPAQUE[spec.operationId] ?? [];
  const errors: FieldError[] = [];
  for (const location of LOCATIONS) findNul(input[location], [location], opaque, errors);
  const cursor = (input.query as { cursor?: unknown } | undefined)?.cursor;
  if (typeof cursor === "string" && cursor !== "") {
    const read = readCursor(cursor);
    if (read.kind === "invalid") errors.push({ field: "query.cursor", message: read.reason });
  }
  const first = errors[0];
  if (first) {
    throw new HttpError("validation", `${first.field}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`, errors.slice(0, 50));
  }
}

/** Walks `root` without recursion (a hostile body may nest deeply), recording where a NUL occurs in a string or a property name. */
function findNul(root: unknown, rootPath: string[], opaque: ReadonlyArray<readonly string[]>, errors: FieldError[]): void {
  const pending: Array<{ value: unknown; path: string[] }> = [{ value: root, path: rootPath }];
  while (pending.length > 0 && errors.length < 50) {
    const { value, path } = pending.pop()!;
    if (opaque.some((pattern) => matches(pattern, path))) continue;
    if (typeof value === "string") {
      if (value.includes(NUL)) errors.push({ field: path.join("."), message: "must not contain NUL (U+0000)" });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, path: [...path, String(index)] }));
    } else if (typeof value === "object" && value !== null) {
      for (const [key, member] of Object.entries(value)) {
        if (key.includes(NUL)) errors.push({ field: path.join("."), message: "property names must not contain NUL (U+0000)" });
        else pending.push({ value: member, path: [...path, key] });
      }
    }
  }
}

function matches(pattern: readonly string[], path: readonly string[]): boolean {
  return pattern.length === path.length && pattern.every((part, i) => part === "*" || part === path[i]);
}
