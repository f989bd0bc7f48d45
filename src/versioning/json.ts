/**
 * Small JSON helpers that never throw. Schemas come from scraped docs and may be
 * anything (including, in memory, cyclic objects), so every walk here is depth-limited.
 */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Limits for the walks below. Depth stops cycles; the visit budget stops shared
 * substructures (`a.x = a.y = a`) from making a walk exponential.
 */
const MAX_DEPTH = 512;
const MAX_VISITS = 200_000;

/** Visits left; one budget can be shared by many calls so that their total is bounded. */
export interface Budget {
  left: number;
}

export function newBudget(visits = MAX_VISITS): Budget {
  return { left: visits };
}

/**
 * A canonical string for a JSON value (keys sorted), used to compare enum values and
 * variants. Past a limit it degrades to a marker, so two huge-but-different values may
 * compare equal there; callers only use it where that errs towards "same".
 */
export function jsonKey(value: unknown, budget: Budget = newBudget()): string {
  const parts: string[] = [];
  writeKey(value, 0, budget, parts);
  return parts.join("");
}

/** Appends to one array rather than joining per level: linear even for deep values. */
function writeKey(value: unknown, depth: number, budget: Budget, parts: string[]): void {
  if (depth > MAX_DEPTH || --budget.left < 0) {
    parts.push("…");
  } else if (value === undefined) {
    parts.push("undefined");
  } else if (value === null || typeof value !== "object") {
    parts.push(typeof value === "bigint" ? `${value}n` : (JSON.stringify(value) ?? String(value)));
  } else if (Array.isArray(value)) {
    parts.push("[");
    value.forEach((item, index) => {
      if (index > 0) parts.push(",");
      writeKey(item, depth + 1, budget, parts);
    });
    parts.push("]");
  } else {
    parts.push("{");
    Object.keys(value)
      .sort()
      .forEach((key, index) => {
        parts.push(`${index > 0 ? "," : ""}${JSON.stringify(key)}:`);
        writeKey((value as JsonObject)[key], depth + 1, budget, parts);
      });
    parts.push("}");
  }
}

/** Deep equality; false past a limit, so an unprovable "same" counts as different. */
export function sameJson(a: unknown, b: unknown, budget: Budget = newBudget()): boolean {
  return equal(a, b, 0, budget);
}

function equal(a: unknown, b: unknown, depth: number, budget: Budget): boolean {
  if (a === b) return true;
  if (depth > MAX_DEPTH || --budget.left < 0) return false;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => equal(item, b[index], depth + 1, budget));
  }
  const left = a as JsonObject;
  const right = b as JsonObject;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  if (keys.length !== Object.keys(right).filter((key) => right[key] !== undefined).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && equal(left[key], right[key], depth + 1, budget));
}

/** RFC 6901 §3: `~` → `~0`, `/` → `~1`. */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
}

export function joinPointer(base: string, ...segments: (string | number)[]): string {
  return base + segments.map((segment) => `/${pointerSegment(segment)}`).join("");
}

export function splitPointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Code-unit order, not locale order: output must not depend on the machine's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders pointers segment by segment, numeric segments numerically (`/2` before `/10`). */
export function comparePointers(a: string, b: string): number {
  const left = splitPointer(a);
  const right = splitPointer(b);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index] ?? "";
    const y = right[index] ?? "";
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

// C0/C1 controls, line/paragraph separators and bidi overrides: a hostile spec must not
// be able to rewrite the terminal line a message is printed on.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const MAX_TEXT = 120;

/** Spec text made safe and short for a one-line message. */
export function printable(text: string): string {
  const escaped = text.replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return escaped.length > MAX_TEXT ? `${escaped.slice(0, MAX_TEXT)}…` : escaped;
}

/** A value as it appears in a message: JSON, made printable. */
export function showValue(value: unknown): string {
  // Messages keep 120 characters, so a small budget is plenty.
  return printable(value === undefined ? "undefined" : jsonKey(value, newBudget(1_000)));
}

/** `"a", "b" and 3 more`: lists in messages stay one line long. */
export function showList(values: readonly unknown[], limit = 5): string {
  const shown = values.slice(0, limit).map(showValue).join(", ");
  return values.length > limit ? `${shown} and ${values.length - limit} more` : shown;
}
