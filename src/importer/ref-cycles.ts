import { joinPointer, parsePointer, withoutMembers } from "../lib/json-pointer.js";
import { subschemasOf } from "../lib/json-schema-walk.js";
import { findRefCycles, type RefCycle } from "../lib/ref-cycles.js";
import type { Warnings } from "./problem.js";
import type { DefProvider } from "./schema-convert.js";
import type { ImportLocation } from "./types.js";
import { isRecord, type JsonObject } from "./util.js";

/**
 * `breakRefCycles` for all the action schemas of one import, which share their `$defs` members
 * (the same objects, from one DefProvider): the cycles among the shared definitions are found
 * once, over all of them, instead of once per action schema carrying them (Stripe: ~775
 * definitions reached from each of its 452 actions). Exact, because each schema's `$defs` holds
 * every definition its members reach, so a cycle among definitions is in it whole or not at all,
 * at the same pointers (`/$defs/<name>/…`); the schema's own part (outside `$defs`) is searched
 * on its own. When a shared definition refers outside `$defs`, or a schema carries a member of
 * its own under a shared name, that schema is searched whole, as `breakRefCycles` does.
 */
export class SharedRefCycles {
  private readonly shared: Record<string, unknown> = {};
  private readonly sharedCycles: RefCycle[] | undefined;
  /** Per `$defs` object (schemas share them, see defsFor): the shared cycles it holds, or null when it is not made of the shared members. */
  private readonly cyclesOf = new WeakMap<object, RefCycle[] | null>();
  /** Per `$defs` object: itself without the `$ref`s that close its cycles. */
  private readonly rewritten = new WeakMap<object, unknown>();

  constructor(
    schemas: readonly unknown[],
    private readonly defs: DefProvider,
    private readonly warnings: Warnings,
    private readonly reported: Set<string>,
  ) {
    const seen = new Set<unknown>();
    for (const schema of schemas) {
      const members = isRecord(schema) ? schema["$defs"] : undefined;
      if (!isRecord(members) || seen.has(members)) continue;
      seen.add(members);
      for (const [name, member] of Object.entries(members)) if (!Object.hasOwn(this.shared, name)) this.shared[name] = member;
    }
    this.sharedCycles = refsStayInDefs(this.shared) ? findRefCycles({ $defs: this.shared }) : undefined;
  }

  break(schema: JsonObject): JsonObject {
    const members = schema["$defs"];
    const inDefs = isRecord(members) ? this.sharedCyclesIn(members) : null;
    if (inDefs === null) return breakRefCycles(schema, this.defs, this.warnings, this.reported);
    const { $defs: _shared, ...own } = schema;
    // Most schemas' own `$ref`s all point into `$defs`, outside `own`: then `own` holds no cycle, and the search is skipped.
    const ownCycles = refsStayInDefs({ own }) ? [] : findRefCycles(own);
    if (ownCycles.length > 0 || inDefs.length === 0) return dropCycles(schema, [...ownCycles, ...inDefs].sort(byFirstPointer), this.defs, this.warnings, this.reported);
    // Only shared definitions cycle: their `$defs` object is rewritten once, and shared again by every schema carrying it.
    reportCycles(inDefs, this.defs, this.warnings, this.reported);
    let rewritten = this.rewritten.get(members as JsonObject);
    if (!rewritten) {
      rewritten = withoutMembers({ $defs: members }, refsClosing(inDefs)).$defs;
      this.rewritten.set(members as JsonObject, rewritten);
    }
    return { ...schema, $defs: rewritten };
  }

  private sharedCyclesIn(members: JsonObject): RefCycle[] | null {
    const known = this.cyclesOf.get(members);
    if (known !== undefined) return known;
    const sharedCycles = this.sharedCycles;
    const cycles =
      sharedCycles !== undefined && Object.entries(members).every(([name, member]) => this.shared[name] === member)
        ? sharedCycles.filter((cycle) => Object.hasOwn(members, parsePointer(cycle.path[0]!)?.[1] ?? ""))
        : null;
    this.cyclesOf.set(members, cycles);
    return cycles;
  }
}

/** findRefCycles' order. */
function byFirstPointer(a: RefCycle, b: RefCycle): number {
  return a.path[0]! < b.path[0]! ? -1 : 1;
}

/** Whether every local `$ref` in these definitions points into `$defs` (none back into an action's own schema). */
function refsStayInDefs(members: Record<string, unknown>): boolean {
  const pending: unknown[] = Object.values(members);
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const schema = pending.pop();
    if (!isRecord(schema) || seen.has(schema)) continue;
    seen.add(schema);
    const ref = schema["$ref"];
    if (typeof ref === "string" && ref.startsWith("#") && !ref.startsWith("#/$defs/")) return false;
    for (const sub of subschemasOf(schema)) pending.push(sub.schema);
  }
  return true;
}

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
  return dropCycles(schema, findRefCycles(schema), defs, warnings, reported);
}

function dropCycles(schema: JsonObject, cycles: RefCycle[], defs: DefProvider, warnings: Warnings, reported: Set<string>): JsonObject {
  if (cycles.length === 0) return schema;
  reportCycles(cycles, defs, warnings, reported);
  return withoutMembers(schema, refsClosing(cycles));
}

/** The `$ref` members to drop to break `cycles`. */
function refsClosing(cycles: RefCycle[]): { pointer: string; key: string }[] {
  return cycles.flatMap((cycle) => cycle.refs.map((pointer) => ({ pointer, key: "$ref" })));
}

/** A warning per cycle not reported yet in this import. */
function reportCycles(cycles: RefCycle[], defs: DefProvider, warnings: Warnings, reported: Set<string>): void {
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
}

/** `/$defs/<name>/…` of an action schema → the place in the imported document it was converted from. */
function documentPlace(pointer: string, defs: DefProvider): ImportLocation | undefined {
  const tokens = parsePointer(pointer) ?? [];
  if (tokens[0] !== "$defs" || tokens[1] === undefined) return undefined;
  const origin = defs.location(tokens[1]);
  if (origin?.pointer === undefined) return origin;
  return { ...origin, pointer: joinPointer(origin.pointer, ...tokens.slice(2)) };
}
