/**
 * Rewrites a spec's JSON Schema into the small, clean subset the type renderer sees.
 * openapi-typescript trusts its input (a `$ref` becomes an identifier verbatim, a
 * non-string `title` crashes it), so nothing from a spec reaches it unfiltered: unknown
 * keywords are dropped, every keyword's value is type-checked, and every `$ref` is
 * either rewritten to a type name the naming table issued, inlined, or made `unknown`.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A schema after normalisation; `false` renders as `never`. */
export type CleanSchema = { [key: string]: unknown } | false;

const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "array", "object", "null"]);
const MAX_DEPTH = 40;
/** Largest JSON text kept for a scalar `default`/`example` (they only feed JSDoc). */
const MAX_ANNOTATION_JSON = 200;

export interface NormalizeScope {
  /** The raw document, for resolving `#/...` pointers that are not `$defs`. */
  readonly root: unknown;
  /** `$defs/<name>` or `definitions/<name>` → the type name the table issued for it. */
  readonly defTypes: ReadonlyMap<string, string>;
  /** The type name of the document's root, for `$ref: "#"`; undefined when it has none. */
  readonly rootType: string | undefined;
  /** Shared budget of schema nodes for this document, against pointer-inlining blowups. */
  budget: { nodes: number };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A null-prototype record, so a `__proto__` key from a spec is an ordinary own property. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** `#/$defs/a~1b` → ["$defs", "a/b"]; undefined for anything but a local JSON pointer. */
export function parseLocalRef(ref: string): string[] | undefined {
  if (ref === "#" || ref === "") return [];
  if (!ref.startsWith("#/")) return undefined;
  try {
    return ref
      .slice(2)
      .split("/")
      .map((part) => decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~"));
  } catch {
    return undefined;
  }
}

/** The `defTypes` key of a ref when it names a root-level definition, else undefined. */
export function defKeyOfRef(ref: string): string | undefined {
  const pointer = parseLocalRef(ref);
  if (pointer?.length === 2 && (pointer[0] === "$defs" || pointer[0] === "definitions")) return `${pointer[0]}/${pointer[1]}`;
  return undefined;
}

export function readPointer(root: unknown, pointer: readonly string[]): unknown {
  let node = root;
  for (const part of pointer) {
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(part)) node = node[Number(part)];
    else if (isRecord(node) && Object.hasOwn(node, part)) node = node[part];
    else return undefined;
  }
  return node;
}

export function normalizeSchema(schema: unknown, scope: NormalizeScope): CleanSchema {
  return normalize(schema, scope, 0, []);
}

function normalize(node: unknown, scope: NormalizeScope, depth: number, inlining: readonly unknown[]): CleanSchema {
  if (node === false) return false;
  if (!isRecord(node) || depth > MAX_DEPTH || --scope.budget.nodes < 0) return {};
  if (typeof node.$ref === "string") return normalizeRef(node.$ref, scope, depth, inlining);

  const out = dict<unknown>();
  const sub = (value: unknown): CleanSchema => normalize(value, scope, depth + 1, inlining);
  const subList = (value: unknown): CleanSchema[] | undefined =>
    Array.isArray(value) && value.length > 0 ? value.map(sub) : undefined;

  const types = normalizeType(node.type);
  if (types !== undefined) out.type = types;
  if (node.nullable === true) out.nullable = true;
  for (const key of ["title", "description"] as const) {
    const text = node[key];
    if (typeof text === "string" && text.trim() !== "") out[key] = normalizeText(text);
  }
  // openapi-typescript prints `Format: <format>` without re-prefixing lines; keep only real format names.
  if (typeof node.format === "string" && /^[A-Za-z0-9_.:+-]{1,64}$/.test(node.format)) out.format = node.format;
  for (const key of ["deprecated", "readOnly", "writeOnly"] as const) if (node[key] === true) out[key] = true;
  for (const key of ["default", "example"] as const) {
    const value = node[key];
    if (value === undefined || (value !== null && typeof value === "object") || JSON.stringify(value).length > MAX_ANNOTATION_JSON) continue;
    // Only shown in JSDoc: a string is kept to one line.
    out[key] = typeof value === "string" ? normalizeText(value).replace(/\n/g, " ") : value;
  }

  const isObjectish = types === "object" || isRecord(node.properties) || node.additionalProperties !== undefined;
  if (Object.hasOwn(node, "const")) {
    // openapi-typescript skips `const: null`; say it as a type instead.
    if (node.const === null) out.type = "null";
    else out.const = node.const;
  } else if (Array.isArray(node.enum)) {
    // With `type: "object"` openapi-typescript reads enum members as *schemas*; give it consts.
    if (isObjectish) out.anyOf = node.enum.map((value: unknown) => (value === null ? { type: "null" } : { const: value }));
    else out.enum = [...node.enum];
  }

  const required = Array.isArray(node.required) ? node.required.filter((name): name is string => typeof name === "string") : [];
  if (isRecord(node.properties)) {
    const properties = dict<CleanSchema>();
    for (const [name, value] of Object.entries(node.properties)) {
      const clean = sub(value);
      properties[name] = OBJECT_MEMBERS.has(name) && !required.includes(name) ? widenObjectMember(name, clean) : clean;
    }
    out.properties = properties;
  }
  if (Array.isArray(node.required)) out.required = required;
  if (typeof node.additionalProperties === "boolean") out.additionalProperties = node.additionalProperties;
  else if (isRecord(node.additionalProperties)) out.additionalProperties = sub(node.additionalProperties);
  if (isRecord(node.patternProperties)) {
    const patterns = dict<CleanSchema>();
    Object.values(node.patternProperties).forEach((value, index) => (patterns[`p${index}`] = sub(value)));
    out.patternProperties = patterns;
  }

  const prefixItems = subList(node.prefixItems) ?? (Array.isArray(node.items) ? subList(node.items) : undefined);
  if (prefixItems) out.prefixItems = prefixItems;
  else if (isRecord(node.items) || node.items === false) out.items = sub(node.items);

  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const list = subList(node[key]);
    // openapi-typescript probes composition members with `in`, which throws on `false`.
    if (list) out[key] = list.map((member) => (member === false ? { enum: [] } : member));
  }
  return out;
}

/**
 * Every object has these members through `Object`, so TypeScript checks an object
 * literal against an optional `constructor?: string` using `Function` and rejects it.
 * Allowing the inherited member's type too (`string | Object["constructor"]`) keeps such
 * inputs usable. The ref `#/Object/<name>` prints as exactly that indexed access.
 */
const OBJECT_MEMBERS = new Set(["constructor", "toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"]);

function widenObjectMember(name: string, schema: CleanSchema): CleanSchema {
  const wrapper: Record<string, unknown> = { anyOf: [schema, { $ref: `#/Object/${name}` }] };
  if (isRecord(schema)) for (const key of ["title", "description", "deprecated"]) if (schema[key] !== undefined) wrapper[key] = schema[key];
  return wrapper;
}

function normalizeRef(ref: string, scope: NormalizeScope, depth: number, inlining: readonly unknown[]): CleanSchema {
  const defKey = defKeyOfRef(ref);
  const defType = defKey === undefined ? undefined : scope.defTypes.get(defKey);
  // The rewritten ref is `#/<identifier>`, which openapi-typescript prints as a bare type reference.
  if (defType !== undefined) return { $ref: `#/${defType}` };
  const pointer = parseLocalRef(ref);
  if (pointer === undefined) return {};
  if (pointer.length === 0) return scope.rootType === undefined ? {} : { $ref: `#/${scope.rootType}` };
  const target = readPointer(scope.root, pointer);
  // Inline other local pointers; a cycle through them, or a dangling one, is `unknown`.
  if (target === undefined || inlining.includes(target)) return {};
  return normalize(target, scope, depth + 1, [...inlining, target]);
}

function normalizeType(type: unknown): string | string[] | undefined {
  if (typeof type === "string") return JSON_TYPES.has(type) ? type : undefined;
  if (!Array.isArray(type)) return undefined;
  const valid = [...new Set(type.filter((entry): entry is string => typeof entry === "string" && JSON_TYPES.has(entry)))];
  if (valid.length === 0) return undefined;
  return valid.length === 1 ? valid[0] : valid;
}

/**
 * Text bound for a comment: one newline convention (a CR or U+2028 cannot end a comment
 * line early), no control characters, and no bidi controls, which can make a comment
 * look like code to a reviewer ("Trojan Source", CVE-2021-42574).
 */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, "\n")
    .replace(/[^\P{Cc}\n\t]|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, "");
}
