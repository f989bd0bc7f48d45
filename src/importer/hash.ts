import { createHash } from "node:crypto";
import type { IntegrationDefinition } from "../contract/integrations.js";

/**
 * `contentHash(definition)` from src/lib/canonical-json.ts, byte for byte, without building a
 * sorted copy of the whole definition: converted schemas under `$defs` are shared by many
 * actions (the GitHub spec reuses `repository` hundreds of times), so their canonical text
 * is computed once per object. Equality with the library function is asserted in tests.
 */
export function definitionHash(definition: IntegrationDefinition): string {
  const hash = createHash("sha256");
  hash.update(canonical(definition, new WeakMap(), false, false));
  return "sha256:" + hash.digest("hex");
}

/** Canonical array-index keys (ECMA-262 §6.1.7): JS objects enumerate them first, in numeric order. */
function isIndex(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

/**
 * JSON.stringify(sortKeys(value)) as canonicalJson does it: keys sorted by code unit, then
 * laid out the way a JS object enumerates them (index-like keys first, numerically),
 * `undefined` members dropped, `undefined` array items written as null.
 */
function canonical(value: unknown, cache: WeakMap<object, string>, memo: boolean, sharedMembers: boolean): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (memo) {
    const cached = cache.get(value);
    if (cached !== undefined) return cached;
  }
  let text: string;
  if (Array.isArray(value)) {
    text = "[" + value.map((item) => canonical(item, cache, false, false)).join(",") + "]";
  } else {
    const keys = Object.keys(value).sort();
    const indices = keys.filter(isIndex).sort((a, b) => Number(a) - Number(b));
    const ordered = indices.length === 0 ? keys : [...indices, ...keys.filter((key) => !isIndex(key))];
    const parts: string[] = [];
    const record = value as Record<string, unknown>;
    for (const key of ordered) {
      const member = record[key];
      if (member === undefined) continue;
      // Schemas directly under $defs are the shared ones worth remembering.
      parts.push(JSON.stringify(key) + ":" + canonical(member, cache, sharedMembers, key === "$defs"));
    }
    text = "{" + parts.join(",") + "}";
  }
  if (memo) cache.set(value, text);
  return text;
}
