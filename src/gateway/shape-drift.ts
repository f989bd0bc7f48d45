import type { TrafficChangeKind } from "../contract/drift.js";
import { escapePointerToken as escape, getAtPointer, parsePointer } from "../lib/json-pointer.js";
import { isRecord } from "../versioning/json.js";

/** One way a response differed from its output schema, by shape only: a path and JSON types, never a value. */
export interface ShapeMismatch {
  kind: TrafficChangeKind;
  /** JSON pointer in the response with array indexes as `*`: `/items/*\/owner/login`. */
  pointer: string;
  /** The types the schema declares (for type changes and missing fields). */
  declared?: string[];
  /** The JSON type seen (for added fields and type changes). */
  seen?: string;
}

export interface ShapeLimits {
  /** Deeper values are not compared. */
  maxDepth: number;
  /** Array items compared per array. */
  itemsPerArray: number;
  /** Mismatches reported per response. */
  maxMismatches: number;
  /** Schema nodes visited per response (bounds `$ref` chains and wide objects). */
  maxVisits: number;
}

export const DEFAULT_SHAPE_LIMITS: ShapeLimits = { maxDepth: 8, itemsPerArray: 3, maxMismatches: 50, maxVisits: 5_000 };

/**
 * Where a response's shape departs from its output schema: fields the schema does not
 * declare (in objects that list their properties), required fields that are missing, and
 * values of another JSON type. Composite schemas (`oneOf`, `anyOf`, `allOf`) and untyped
 * ones are not compared: a drift detector may miss what it cannot judge, but must not guess.
 * Local `$ref`s (`#/…`) are followed. Bounded by `limits`; the value is only read.
 */
export function shapeMismatches(schema: unknown, value: unknown, limits: ShapeLimits = DEFAULT_SHAPE_LIMITS): ShapeMismatch[] {
  const found: ShapeMismatch[] = [];
  let visits = 0;
  const seen = new Set<string>();
  const report = (mismatch: ShapeMismatch) => {
    const key = `${mismatch.kind} ${mismatch.pointer}`;
    if (seen.has(key) || found.length >= limits.maxMismatches) return;
    seen.add(key);
    found.push(mismatch);
  };
  const walk = (node: unknown, current: unknown, pointer: string, depth: number): void => {
    if (depth > limits.maxDepth || ++visits > limits.maxVisits || found.length >= limits.maxMismatches) return;
    const resolved = resolveLocalRefs(schema, node);
    if (!isRecord(resolved) || "oneOf" in resolved || "anyOf" in resolved || "allOf" in resolved) return;
    const declared = declaredTypes(resolved);
    const actual = jsonType(current);
    if (declared && !declared.includes(actual) && !(actual === "integer" && declared.includes("number"))) {
      report({ kind: "response-type-changed", pointer: pointer || "/", declared, seen: actual });
      return;
    }
    if (actual === "object" && isRecord(current)) {
      const properties = isRecord(resolved.properties) ? resolved.properties : undefined;
      if (properties) {
        const required = Array.isArray(resolved.required) ? resolved.required.filter((name): name is string => typeof name === "string") : [];
        for (const name of required) {
          if (!Object.hasOwn(current, name)) {
            const property = resolveLocalRefs(schema, properties[name]);
            report({ kind: "response-field-missing", pointer: `${pointer}/${escape(name)}`, ...(isRecord(property) && declaredTypes(property) ? { declared: declaredTypes(property)! } : {}) });
          }
        }
        for (const [name, member] of Object.entries(current)) {
          if (Object.hasOwn(properties, name)) walk(properties[name], member, `${pointer}/${escape(name)}`, depth + 1);
          else if (resolved.additionalProperties === undefined || resolved.additionalProperties === true || resolved.additionalProperties === false) {
            // An open map (additionalProperties: {schema}) declares every name; only listed-properties objects can gain one.
            report({ kind: "response-field-added", pointer: `${pointer}/${escape(name)}`, seen: jsonType(member) });
          }
        }
      }
    } else if (actual === "array" && Array.isArray(current) && resolved.items !== undefined) {
      for (const item of current.slice(0, limits.itemsPerArray)) walk(resolved.items, item, `${pointer}/*`, depth + 1);
    }
  };
  walk(schema, value, "", 0);
  return found;
}

function declaredTypes(schema: Record<string, unknown>): string[] | undefined {
  const types = typeof schema.type === "string" ? [schema.type] : Array.isArray(schema.type) ? schema.type.filter((type): type is string => typeof type === "string") : undefined;
  if (!types || types.length === 0) return undefined;
  // OpenAPI 3.0's `nullable: true`, as the importer may keep it.
  return schema.nullable === true && !types.includes("null") ? [...types, "null"] : types;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Follows `$ref: "#/…"` within the root schema, a bounded number of hops. */
function resolveLocalRefs(root: unknown, node: unknown): unknown {
  let current = node;
  for (let hops = 0; hops < 16 && isRecord(current) && typeof current.$ref === "string"; hops++) {
    const tokens = current.$ref.startsWith("#") ? parsePointer(decodeURIComponent(current.$ref.slice(1))) : null;
    if (!tokens) return undefined;
    current = getAtPointer(root, tokens);
  }
  return current;
}
