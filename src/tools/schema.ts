import { getAtPointer, parsePointer } from "../lib/json-pointer.js";
import { subschemasOf } from "../lib/json-schema-walk.js";

/**
 * Schemas for models. LLM providers reject `$ref` (OpenAI strict mode, Gemini, several MCP
 * clients) and pay for every byte on every turn, so a tool's schema is self-contained and
 * bounded:
 *
 * - every local `$ref` is replaced by the schema it points to, at most `maxRefDepth` refs
 *   deep; a ref cycle (a tree of comments) or a ref past that depth becomes `{}` (any value),
 *   with a description saying so. A `$ref` that is not local (`https://…`) is never fetched:
 *   it becomes `{}` too.
 * - Waygate's own keywords (`x-waygate-in`, …), `$defs`, `$schema`, `$id`, examples,
 *   comments and formats no standard defines are dropped; descriptions are cut to
 *   `maxDescription` characters.
 * - when the result is still over `maxBytes`, it is built again with fewer ref levels
 *   (halving down to 0), and as the last fallback only the top-level properties keep their
 *   type, enum and description (`shallow`). The descriptor says which fallback was taken, so
 *   a model can be told to look the action up (the MCP `describe_action` meta-tool).
 */

export interface SchemaLimits {
  /** `$ref`s followed along one path. */
  maxRefDepth: number;
  /** Nesting of subschemas (refs or not) below the root; deeper ones become `{}`. */
  maxNesting: number;
  /** Serialized size of the finished schema, in bytes (UTF-16 units of the JSON text). */
  maxBytes: number;
  maxDescription: number;
}

export const DEFAULT_SCHEMA_LIMITS: SchemaLimits = { maxRefDepth: 6, maxNesting: 24, maxBytes: 24_000, maxDescription: 300 };

export type SchemaFallback = "none" | "depth" | "shallow";

export interface BoundedSchema {
  schema: Record<string, unknown>;
  fallback: SchemaFallback;
}

type Schema = Record<string, unknown>;

const DROPPED_KEYWORDS = new Set(["$defs", "definitions", "$schema", "$id", "$anchor", "$dynamicAnchor", "$comment", "examples", "example"]);
/** JSON Schema's formats (Validation §7.3) and OpenAPI's; others (`repo.nwo`) mean nothing to a model or a validator. */
const KNOWN_FORMATS = new Set([
  "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4", "ipv6", "uri", "uri-reference",
  "iri", "iri-reference", "uuid", "uri-template", "json-pointer", "relative-json-pointer", "regex",
  "int32", "int64", "float", "double", "byte", "binary", "password",
]);
const OMITTED = "(nested schema omitted; any value is accepted here)";

/** The schema with every `$ref` inlined, within `limits`; an object schema at the root whatever came in. */
export function boundedSchema(input: unknown, limits: SchemaLimits = DEFAULT_SCHEMA_LIMITS): BoundedSchema {
  const root = isObject(input) ? input : {};
  let fallback: SchemaFallback = "none";
  for (let depth = limits.maxRefDepth; ; depth = Math.floor(depth / 2)) {
    const schema = asObjectRoot(inline(root, root, { ...limits, maxRefDepth: depth }, [], 0));
    if (JSON.stringify(schema).length <= limits.maxBytes) return { schema, fallback };
    fallback = "depth";
    if (depth === 0) break;
  }
  return { schema: shallow(inline(root, root, { ...limits, maxRefDepth: 0 }, [], 0), limits), fallback: "shallow" };
}

function inline(node: Schema | boolean, root: Schema, limits: SchemaLimits, refs: string[], nesting: number): Schema | boolean {
  if (typeof node === "boolean") return node;
  if (nesting > limits.maxNesting) return omitted(node);
  const ref = node.$ref;
  if (typeof ref === "string") {
    const siblings = withoutKey(node, "$ref");
    const tokens = ref.startsWith("#") ? parsePointer(decodeURIComponent(ref.slice(1))) : null;
    const target = tokens ? getAtPointer(root, tokens) : undefined;
    if (!isObject(target) && typeof target !== "boolean") return omitted(siblings);
    if (refs.includes(ref) || refs.length >= limits.maxRefDepth) return omitted({ ...siblings, ...(isObject(target) && typeof target.description === "string" && siblings.description === undefined ? { description: target.description } : {}) });
    const resolved = inline(target, root, limits, [...refs, ref], nesting + 1);
    const rest = inline(siblings, root, limits, refs, nesting);
    if (typeof resolved === "boolean") return Object.keys(siblings).length === 0 ? resolved : { allOf: [resolved], ...(rest as Schema) };
    // `$ref` beside other keywords means both apply (2020-12 Core §8.2.3.1): only annotations merge in directly.
    const restKeys = Object.keys(rest as Schema).filter((key) => key !== "description" && key !== "title");
    return restKeys.length === 0 ? { ...resolved, ...(rest as Schema) } : { allOf: [resolved], ...(rest as Schema) };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-") || DROPPED_KEYWORDS.has(key)) continue;
    if (key === "description" && typeof value === "string") out[key] = trimText(value, limits.maxDescription);
    else if (key === "format" && !(typeof value === "string" && KNOWN_FORMATS.has(value))) continue;
    else out[key] = value;
  }
  for (const sub of subschemasOf(node)) {
    const [keyword, member] = sub.tokens as [string, string | undefined];
    if (DROPPED_KEYWORDS.has(keyword)) continue;
    const value = inline(sub.schema, root, limits, refs, nesting + 1);
    if (member === undefined) out[keyword] = value;
    else if (Array.isArray(out[keyword])) {
      const list = out[keyword] === node[keyword] ? [...(node[keyword] as unknown[])] : (out[keyword] as unknown[]);
      list[Number(member)] = value;
      out[keyword] = list;
    } else {
      const map = out[keyword] === node[keyword] ? { ...(node[keyword] as Schema) } : (out[keyword] as Schema);
      // A property named __proto__ must stay a property: defineProperty, never assignment.
      Object.defineProperty(map, member, { value, enumerable: true, writable: true, configurable: true });
      out[keyword] = map;
    }
  }
  return out;
}

/** Top-level properties with their type, enum and description only: the last fallback for huge schemas. */
function shallow(schema: Schema | boolean, limits: SchemaLimits): Schema {
  const root = asObjectRoot(schema);
  const properties: Schema = {};
  for (const [name, value] of Object.entries(isObject(root.properties) ? root.properties : {})) {
    const property = isObject(value) ? value : {};
    const kept: Schema = {};
    if (property.type !== undefined) kept.type = property.type;
    if (Array.isArray(property.enum) && JSON.stringify(property.enum).length <= 1_000) kept.enum = property.enum;
    kept.description = trimText(`${typeof property.description === "string" ? property.description + " " : ""}(structure not shown: describe the action for it)`, limits.maxDescription);
    Object.defineProperty(properties, name, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return { type: "object", properties, ...(Array.isArray(root.required) ? { required: root.required } : {}) };
}

function asObjectRoot(schema: Schema | boolean): Schema {
  if (typeof schema === "boolean" || schema.type === undefined) return { type: "object", properties: {}, ...(typeof schema === "boolean" ? {} : schema) };
  return schema;
}

function omitted(siblings: Schema): Schema {
  const description = typeof siblings.description === "string" ? `${trimText(siblings.description, 200)} ${OMITTED}` : OMITTED;
  return { description };
}

function withoutKey(schema: Schema, key: string): Schema {
  const copy: Schema = {};
  for (const [name, value] of Object.entries(schema)) if (name !== key) Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Text for a model: whitespace collapsed, cut at a word boundary with an ellipsis. */
export function trimText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
