/**
 * TypeScript rejects a type alias that refers to itself other than through an object
 * member, array element or tuple element (`type A = A | B`, `type A = B & C` with
 * `type C = A`: TS2456). Schemas allow such cycles (`$defs: { a: { $ref: "#/$defs/a" } }`),
 * so every cycle of "unguarded" references is cut by making one reference `unknown`.
 */
import type { CleanSchema } from "./schema-normalize.js";
import { isRecord } from "./schema-normalize.js";

const COMPOSITIONS = ["allOf", "anyOf", "oneOf"] as const;

function refTarget(schema: CleanSchema): string | undefined {
  return isRecord(schema) && typeof schema.$ref === "string" ? schema.$ref.slice(2) : undefined;
}

/** Visits references at positions TypeScript resolves eagerly: the root and composition members. */
function unguardedRefs(schema: CleanSchema, visit: (target: string) => void): void {
  const target = refTarget(schema);
  if (target !== undefined) return visit(target);
  if (!isRecord(schema)) return;
  for (const key of COMPOSITIONS) {
    const members = schema[key];
    if (Array.isArray(members)) for (const member of members as CleanSchema[]) unguardedRefs(member, visit);
  }
}

function withoutRefsTo(schema: CleanSchema, targets: ReadonlySet<string>): CleanSchema {
  const target = refTarget(schema);
  if (target !== undefined) return targets.has(target) ? {} : schema;
  if (!isRecord(schema)) return schema;
  const copy: Record<string, unknown> = Object.assign(Object.create(null) as object, schema);
  for (const key of COMPOSITIONS) {
    const members = schema[key];
    if (Array.isArray(members)) copy[key] = (members as CleanSchema[]).map((member) => withoutRefsTo(member, targets));
  }
  return copy;
}

/** Returns the named schemas with every unguarded reference cycle cut (deterministically, by name order). */
export function breakAliasCycles(named: ReadonlyMap<string, CleanSchema>): Map<string, CleanSchema> {
  const state = new Map<string, "visiting" | "done">();
  const cut = new Map<string, Set<string>>();
  const targetsOf = (name: string): string[] => {
    const targets: string[] = [];
    const schema = named.get(name);
    if (schema !== undefined) unguardedRefs(schema, (target) => targets.push(target));
    return targets;
  };
  // Depth-first with an explicit stack: a spec can chain thousands of aliases.
  for (const start of [...named.keys()].sort()) {
    if (state.has(start)) continue;
    const stack = [{ name: start, targets: targetsOf(start), next: 0 }];
    state.set(start, "visiting");
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const target = frame.targets[frame.next++];
      if (target === undefined) {
        state.set(frame.name, "done");
        stack.pop();
      } else if (state.get(target) === "visiting") {
        const set = cut.get(frame.name) ?? new Set<string>();
        set.add(target);
        cut.set(frame.name, set);
      } else if (!state.has(target) && named.has(target)) {
        state.set(target, "visiting");
        stack.push({ name: target, targets: targetsOf(target), next: 0 });
      }
    }
  }
  const result = new Map(named);
  for (const [name, targets] of cut) {
    const schema = named.get(name);
    if (schema !== undefined) result.set(name, withoutRefsTo(schema, targets));
  }
  return result;
}
