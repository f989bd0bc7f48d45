import { joinPointer, parsePointer, withoutMembers } from "../lib/json-pointer.js";
import { findRefCycles } from "../lib/ref-cycles.js";
import type { Warnings } from "./problem.js";
import type { DefProvider } from "./schema-convert.js";
import type { ImportLocation } from "./types.js";
import type { JsonObject } from "./util.js";

/**
 * Breaks the unresolvable `$ref` cycles of one action schema (`A: {$ref: B}, B: {$ref: A}`,
 * or through `allOf`/`anyOf`: see lib/ref-cycles) at import time, so the stored version
 * never holds a schema that recurses without reading the data. Each `$ref` that closes such
 * a cycle becomes an empty schema, as the gateway does for schemas written by hand. A cycle
 * is reported once per import, as a warning (the rest of the API stays usable) naming the
 * documents' JSON pointers. Recursion through `properties` or `items` (a tree of comments)
 * is legitimate and left alone.
 */
export function breakRefCycles(schema: JsonObject, defs: DefProvider, warnings: Warnings, reported: Set<string>): JsonObject {
  const cycles = findRefCycles(schema);
  if (cycles.length === 0) return schema;
  for (const cycle of cycles) {
    const places = [...cycle.path, cycle.path[0]!].map((pointer) => documentPlace(pointer, defs));
    const described = places.map((place) => place?.pointer ?? "(action schema)").join(" → ");
    if (reported.has(described)) continue;
    reported.add(described);
    warnings.add(
      "ref_cycle",
      `$ref cycle ${described} never reaches a value (it refers back to itself without reading any data); the $refs that close it were dropped, each becoming an empty schema`,
      places[0],
    );
  }
  return withoutMembers(schema, cycles.flatMap((cycle) => cycle.refs.map((pointer) => ({ pointer, key: "$ref" }))));
}

/** `/$defs/<name>/…` of an action schema → the place in the imported document it was converted from. */
function documentPlace(pointer: string, defs: DefProvider): ImportLocation | undefined {
  const tokens = parsePointer(pointer) ?? [];
  if (tokens[0] !== "$defs" || tokens[1] === undefined) return undefined;
  const origin = defs.location(tokens[1]);
  if (origin?.pointer === undefined) return origin;
  return { ...origin, pointer: joinPointer(origin.pointer, ...tokens.slice(2)) };
}
