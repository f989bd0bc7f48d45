import { isRecord, jsonKey, newBudget, splitPointer, type Budget, type JsonObject } from "./json.js";

/**
 * Turns one schema node into a plain object the comparer can read: local `$ref`s followed,
 * `allOf` merged, boolean and garbage schemas mapped to their meaning. Properties stay
 * unresolved; the comparer resolves them lazily as it descends, which is what keeps
 * recursive `$defs` finite.
 */

/** `false` (JSON Schema 2020-12 §4.3.2) accepts nothing; `{ not: {} }` says the same. */
export const NEVER: JsonObject = Object.freeze({ not: {} });

const MAX_REF_HOPS = 16;
const MAX_MERGE_DEPTH = 16;

export interface Resolved {
  schema: JsonObject;
  /** The node's own `$ref`, used to pair definitions and stop on cycles. */
  ref: string | undefined;
}

export function resolveNode(node: unknown, root: unknown, budget: Budget = newBudget()): Resolved {
  const ref = isRecord(node) && typeof node.$ref === "string" ? node.$ref : undefined;
  return { schema: resolveSchema(node, root, 0, budget), ref };
}

function resolveSchema(node: unknown, root: unknown, depth: number, budget: Budget): JsonObject {
  if (node === false) return NEVER;
  // `true`, absent and non-schema values (numbers, arrays, null) constrain nothing.
  if (!isRecord(node)) return {};
  let schema = node;
  for (let hops = 0; typeof schema.$ref === "string" && hops < MAX_REF_HOPS; hops++) {
    const { $ref, ...siblings } = schema;
    const target = lookupLocalRef(root, $ref as string);
    // An external or dangling ref stays as it is; the comparer can only compare its text.
    if (target === undefined) return schema;
    if (target === false) return NEVER;
    // 2020-12 §8.2.3.1: `$ref` applies alongside its siblings, i.e. an implicit allOf.
    schema = Object.keys(siblings).length === 0 ? target : { allOf: [target, siblings] };
  }
  if (Array.isArray(schema.allOf) && depth < MAX_MERGE_DEPTH) {
    const { allOf, ...rest } = schema;
    const members = (allOf as unknown[]).map((member) => resolveSchema(member, root, depth + 1, budget));
    return mergeSchemas([rest, ...members], budget);
  }
  return schema;
}

/** `#/$defs/a`, `#/definitions/a` or any other pointer inside the same document. */
function lookupLocalRef(root: unknown, ref: string): JsonObject | false | undefined {
  if (!ref.startsWith("#")) return undefined;
  let current: unknown = root;
  let pointer = ref.slice(1);
  try {
    pointer = decodeURIComponent(pointer);
  } catch {
    return undefined;
  }
  for (const segment of splitPointer(pointer)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isRecord(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  if (current === false) return false;
  return isRecord(current) ? current : current === true ? {} : undefined;
}

/**
 * allOf as one schema, close enough for comparison: properties and `required` unite,
 * `type` and `enum` intersect, a property declared twice becomes its own allOf, and for
 * any other keyword the first member that sets it wins.
 */
export function mergeSchemas(members: readonly JsonObject[], budget: Budget = newBudget()): JsonObject {
  if (members.some((member) => member === NEVER)) return NEVER;
  const merged: JsonObject = {};
  for (const member of members) {
    for (const [key, value] of Object.entries(member)) {
      if (value === undefined) continue;
      const existing = merged[key];
      if (existing === undefined) merged[key] = value;
      else if (key === "properties" && isRecord(existing) && isRecord(value)) merged[key] = mergeProperties(existing, value);
      else if (key === "required" && Array.isArray(existing) && Array.isArray(value)) merged[key] = [...new Set([...existing, ...value])];
      else if (key === "type") merged[key] = intersectTypes(existing, value);
      else if (key === "enum" && Array.isArray(existing) && Array.isArray(value)) {
        const keep = new Set(value.map((item) => jsonKey(item, budget)));
        merged[key] = existing.filter((item) => keep.has(jsonKey(item, budget)));
      }
    }
  }
  return merged;
}

function mergeProperties(a: JsonObject, b: JsonObject): JsonObject {
  const merged: JsonObject = { ...a };
  for (const [name, schema] of Object.entries(b)) {
    merged[name] = Object.hasOwn(merged, name) ? { allOf: [merged[name], schema] } : schema;
  }
  return merged;
}

function intersectTypes(a: unknown, b: unknown): unknown {
  const left = typeList(a);
  const right = typeList(b);
  if (!left || !right) return left ? a : b;
  const both = left.filter((type) => right.includes(type));
  // integer ⊂ number, so their intersection is integer.
  if (left.includes("integer") && right.includes("number") && !both.includes("integer")) both.push("integer");
  if (right.includes("integer") && left.includes("number") && !both.includes("integer")) both.push("integer");
  return both;
}

export function typeList(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return undefined;
}
