import { joinPointer, withoutMembers } from "../lib/json-pointer.js";
import { subschemasOf } from "../lib/json-schema-walk.js";
import type { LinearPattern } from "../lib/linear-pattern.js";
import { findRefCycles } from "../lib/ref-cycles.js";

export interface PreparedSchema {
  /** The schema Ajv compiles: the original, or a copy without the parts listed in `warnings`. */
  schema: Record<string, unknown>;
  /** Parts of the schema that are not enforced, and why. */
  warnings: string[];
}

export class SchemaTooLarge extends Error {
  override readonly name = "SchemaTooLarge";
}

/**
 * Gets an imported schema ready for Ajv, in one walk:
 * - refuses a schema with more than `maxNodes` values or nested deeper than `maxDepth`
 *   (Ajv generates code proportional to the schema);
 * - drops what the linear-time engine cannot run, never falling back to backtracking: a
 *   `pattern` it cannot run is not enforced; a `patternProperties` entry it cannot run is
 *   dropped together with the `additionalProperties`/`unevaluatedProperties` beside it
 *   (which would otherwise refuse the very properties the pattern was meant to allow). A
 *   value is never refused because of a pattern we could not run;
 * - drops the `$ref`s that close an unresolvable cycle (see lib/ref-cycles): each becomes
 *   an empty schema, so `A: {$ref: B}, B: {$ref: A}` accepts any value instead of recursing
 *   until the stack overflows.
 */
export function prepareSchema(schema: Record<string, unknown>, limits: { maxNodes: number; maxDepth: number }, compile: (pattern: string) => LinearPattern): PreparedSchema {
  checkSize(schema, limits);
  const warnings: string[] = [];
  const removals: { pointer: string; key: string }[] = [];
  const pending: { pointer: string; schema: unknown }[] = [{ pointer: "", schema }];
  while (pending.length > 0) {
    const { pointer, schema: node } = pending.pop()!;
    if (typeof node !== "object" || node === null || Array.isArray(node)) continue;
    const object = node as Record<string, unknown>;
    const at = pointer || "/";
    if (typeof object["pattern"] === "string") {
      const compiled = compile(object["pattern"]);
      if (compiled.kind === "unsupported") {
        warnings.push(`pattern at ${at} is not enforced: ${compiled.reason}`);
        removals.push({ pointer, key: "pattern" });
      }
    }
    const patternProperties = object["patternProperties"];
    if (typeof patternProperties === "object" && patternProperties !== null && !Array.isArray(patternProperties)) {
      let dropped = false;
      for (const key of Object.keys(patternProperties)) {
        const compiled = compile(key);
        if (compiled.kind === "linear") continue;
        warnings.push(`patternProperties ${JSON.stringify(key)} at ${at} is not enforced: ${compiled.reason}`);
        removals.push({ pointer: joinPointer(pointer, "patternProperties"), key });
        dropped = true;
      }
      for (const sibling of ["additionalProperties", "unevaluatedProperties"]) {
        if (!dropped || object[sibling] === undefined) continue;
        warnings.push(`${sibling} at ${at} is not enforced either, since it depends on the patternProperties that are not`);
        removals.push({ pointer, key: sibling });
      }
    }
    for (const sub of subschemasOf(object)) pending.push({ pointer: joinPointer(pointer, ...sub.tokens), schema: sub.schema });
  }
  const withoutUnsupported = withoutMembers(schema, removals);
  const cycles = findRefCycles(withoutUnsupported);
  for (const cycle of cycles) {
    warnings.push(`$ref cycle ${[...cycle.path, cycle.path[0]!].map((pointer) => pointer || "/").join(" → ")} never reaches a value; the $refs that close it are ignored`);
  }
  const prepared = withoutMembers(withoutUnsupported, cycles.flatMap((cycle) => cycle.refs.map((pointer) => ({ pointer, key: "$ref" }))));
  return { schema: prepared, warnings: warnings.sort() };
}

function checkSize(schema: unknown, limits: { maxNodes: number; maxDepth: number }): void {
  let nodes = 0;
  const stack: [unknown, number][] = [[schema, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++nodes > limits.maxNodes) throw new SchemaTooLarge(`schema has more than ${limits.maxNodes} nodes`);
    if (depth > limits.maxDepth) throw new SchemaTooLarge(`schema is nested deeper than ${limits.maxDepth} levels`);
    if (typeof node === "object" && node !== null) for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
}
