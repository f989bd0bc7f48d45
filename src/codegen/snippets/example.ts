/**
 * Builds a plausible example value for a JSON Schema: required properties only,
 * filled from `const`, `examples`, `default`, `enum`, then by type and format. Used for
 * snippets and `@example` blocks, so the value must satisfy the generated type: spec
 * examples are used only when they match the schema's type.
 */
import { dict, isRecord, parseLocalRef, readPointer } from "../schema-normalize.js";

export interface ExampleOptions {
  /** Objects and arrays deeper than this are left empty. Default 6. */
  maxDepth?: number;
}

interface State {
  root: unknown;
  depth: number;
  maxDepth: number;
  resolving: readonly unknown[];
}

const FORMAT_EXAMPLES: Record<string, string> = {
  "date-time": "2024-01-01T00:00:00Z",
  date: "2024-01-01",
  time: "12:00:00Z",
  email: "user@example.com",
  uri: "https://example.com",
  url: "https://example.com",
  "uri-reference": "https://example.com",
  uuid: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  hostname: "example.com",
  byte: "aGVsbG8=",
};

/**
 * An example value for `schema` (`$defs` and other local `$ref`s resolve against it).
 *
 * @example
 * exampleFromSchema({ type: "object", required: ["title"], properties: { title: { type: "string" } } });
 * // → { title: "example" }
 */
export function exampleFromSchema(schema: unknown, options: ExampleOptions = {}): unknown {
  return build(schema, { root: schema, depth: 0, maxDepth: options.maxDepth ?? 6, resolving: [] }, undefined);
}

function build(schema: unknown, state: State, name: string | undefined): unknown {
  if (!isRecord(schema)) return schema === false ? null : "example";
  if (typeof schema.$ref === "string") {
    const pointer = parseLocalRef(schema.$ref);
    const target = pointer === undefined ? undefined : readPointer(state.root, pointer);
    if (target === undefined || state.resolving.includes(target) || state.depth > state.maxDepth) return null;
    return build(target, { ...state, resolving: [...state.resolving, target] }, name);
  }
  if (Object.hasOwn(schema, "const")) return schema.const;
  for (const candidate of [firstOf(schema.examples), schema.example, schema.default]) {
    if (candidate !== undefined && matchesType(candidate, schema)) return candidate;
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.find((value) => value !== null) ?? null;
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const parts = schema.allOf.map((member) => build(member, state, name));
    const own = typeOf(schema) === "object" || isRecord(schema.properties) ? [buildObject(schema, state)] : [];
    if (parts.every(isRecord)) return Object.assign(dict<unknown>(), ...own, ...parts);
    return parts[0];
  }
  for (const key of ["oneOf", "anyOf"] as const) {
    const members = schema[key];
    if (Array.isArray(members) && members.length > 0) {
      const preferred = members.find((member) => !(isRecord(member) && member.type === "null")) ?? members[0];
      return build(preferred, state, name);
    }
  }
  switch (typeOf(schema)) {
    case "string":
      return stringExample(schema, name);
    case "integer":
      return typeof schema.minimum === "number" ? Math.ceil(schema.minimum) : 1;
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 1;
    case "boolean":
      return true;
    case "null":
      return null;
    case "array":
      return buildArray(schema, state);
    case "object":
      return buildObject(schema, state);
    default:
      return "example";
  }
}

function buildObject(schema: Record<string, unknown>, state: State): Record<string, unknown> {
  const out = dict<unknown>();
  if (state.depth >= state.maxDepth) return out;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === "string") : [];
  const next = { ...state, depth: state.depth + 1 };
  for (const key of required) {
    if (Object.hasOwn(out, key)) continue;
    out[key] = Object.hasOwn(properties, key) ? build(properties[key], next, key) : "example";
  }
  return out;
}

function buildArray(schema: Record<string, unknown>, state: State): unknown[] {
  if (state.depth >= state.maxDepth) return [];
  const next = { ...state, depth: state.depth + 1 };
  if (Array.isArray(schema.prefixItems)) return schema.prefixItems.map((item) => build(item, next, undefined));
  if (Array.isArray(schema.items)) return schema.items.map((item) => build(item, next, undefined));
  if (schema.items === undefined || schema.items === false) return [];
  return [build(schema.items, next, undefined)];
}

function stringExample(schema: Record<string, unknown>, name: string | undefined): string {
  const format = typeof schema.format === "string" ? FORMAT_EXAMPLES[schema.format] : undefined;
  if (format !== undefined) return format;
  const hint = (name ?? "").toLowerCase();
  if (hint.includes("email")) return "user@example.com";
  if (hint.endsWith("url") || hint.endsWith("uri")) return "https://example.com";
  const text = hint === "" || !/^[a-z0-9_]+$/.test(hint) ? "example" : hint.endsWith("id") ? "id_123" : `example-${hint}`.replace(/_/g, "-");
  const minLength = typeof schema.minLength === "number" ? Math.min(schema.minLength, 64) : 0;
  const maxLength = typeof schema.maxLength === "number" ? Math.max(schema.maxLength, 1) : Infinity;
  return text.padEnd(minLength, "x").slice(0, maxLength);
}

/** The first non-null JSON type the schema allows (inferred from its keywords if unstated). */
function typeOf(schema: Record<string, unknown>): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const stated = types.find((type): type is string => typeof type === "string" && type !== "null");
  if (stated) return stated;
  if (types.includes("null")) return "null";
  if (isRecord(schema.properties) || Array.isArray(schema.required)) return "object";
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return "array";
  return undefined;
}

function matchesType(value: unknown, schema: Record<string, unknown>): boolean {
  if (Array.isArray(schema.enum)) return schema.enum.some((option) => option === value);
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((type) => typeof type === "string");
  if (types.length === 0) return false;
  return types.some((type) => {
    if (type === "null") return value === null;
    if (type === "integer") return Number.isInteger(value);
    if (type === "array") return Array.isArray(value) && value.length === 0;
    if (type === "object") return false;
    return typeof value === type;
  });
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined;
}
