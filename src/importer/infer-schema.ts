import { setKey } from "./util.js";
import type { JsonObject } from "./util.js";

const MAX_DEPTH = 32;
const MAX_PROPERTIES = 500;

/**
 * A JSON Schema describing an example value (Postman bodies and saved responses have
 * examples, not schemas). Nothing is marked required: one example cannot tell.
 */
export function inferSchema(value: unknown, depth = 0): JsonObject {
  if (depth > MAX_DEPTH) return {};
  if (value === null || value === undefined) return {};
  if (typeof value === "boolean") return { type: "boolean" };
  if (typeof value === "number") return { type: Number.isInteger(value) ? "integer" : "number" };
  if (typeof value === "string") return { type: "string" };
  if (Array.isArray(value)) return value.length > 0 ? { type: "array", items: inferSchema(value[0], depth + 1) } : { type: "array" };
  if (typeof value === "object") {
    const properties: JsonObject = {};
    let count = 0;
    for (const [key, child] of Object.entries(value)) {
      if (count++ >= MAX_PROPERTIES) break;
      setKey(properties, key, inferSchema(child, depth + 1));
    }
    return { type: "object", properties };
  }
  return {};
}

/**
 * Parses a JSON example that may contain Postman `{{variables}}`: quoted ones are strings
 * already; bare ones (`"n": {{count}}`) become null so the rest still parses.
 */
export function parseTemplatedJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    try {
      return { ok: true, value: JSON.parse(text.replace(/(?<!")\{\{[^{}"]*\}\}(?!")/g, "null")) };
    } catch {
      return { ok: false };
    }
  }
}
