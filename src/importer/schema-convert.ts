import { joinPointer, parsePointer } from "../lib/json-pointer.js";
import type { Warnings } from "./problem.js";
import type { DocumentSet } from "./refs.js";
import type { ImportLocation } from "./types.js";
import { entries, isRecord, setKey } from "./util.js";
import type { JsonObject } from "./util.js";

/**
 * Schema dialects we read. Output is always JSON Schema 2020-12 as OpenAPI 3.1 uses it.
 * - swagger2: Swagger 2.0 §Schema Object (draft-4 subset, `type: file`, `x-nullable`).
 * - oas30: OpenAPI 3.0.3 §4.7.24 (`nullable`, boolean exclusive bounds, `$ref` siblings ignored).
 * - oas31: OpenAPI 3.1.0 §4.8.24 (full 2020-12; `$ref` may have siblings).
 */
export type Dialect = "swagger2" | "oas30" | "oas31";

/** The schemas an action's `$defs` can draw from. */
export interface DefProvider {
  /** Converted schema of a `$defs` entry. */
  get(name: string): unknown;
  /** Names a `$defs` entry refers to directly. */
  deps(name: string): readonly string[];
  /** Where a `$defs` entry came from in the imported documents. */
  location(name: string): ImportLocation | undefined;
}

export const NO_DEFS: DefProvider = { get: () => undefined, deps: () => [], location: () => undefined };

export const DEFS_PREFIX = "#/$defs/";

export function defRef(name: string): string {
  return DEFS_PREFIX + name;
}

interface DefEntry {
  name: string;
  docId: string;
  pointer: string;
  converted?: unknown;
  deps?: string[];
}

/** Keys dropped from output: identifiers that would re-base our rewritten `$ref`s, and documentation-only members. */
const DROPPED = new Set(["$id", "$schema", "$anchor", "$dynamicAnchor", "$comment", "$defs", "definitions", "xml", "externalDocs", "nullable", "x-nullable"]);
const SINGLE_SCHEMA = new Set([
  "additionalProperties",
  "additionalItems",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "unevaluatedProperties",
  "unevaluatedItems",
  "contentSchema",
]);
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "dependentSchemas"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
/** Annotations that stay on the outside when a schema is wrapped in `anyOf: [schema, null]`. */
const OUTER_ANNOTATIONS = ["title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples"];

/**
 * Converts OpenAPI/Swagger schemas to JSON Schema 2020-12. Every `$ref` to a schema becomes
 * `#/$defs/<name>` instead of being inlined, so circular schemas stay finite; the callers put
 * the reachable definitions under `$defs` of each action schema. Converted schemas are
 * cached by identity and shared between actions: never mutate them.
 */
export class SchemaConverter implements DefProvider {
  private readonly byKey = new Map<string, DefEntry>();
  private readonly byName = new Map<string, DefEntry>();
  private readonly refCache = new Map<string, string | null>();
  private readonly inline = new WeakMap<object, unknown>();
  private readonly docs: DocumentSet;
  private readonly dialect: Dialect;
  private readonly warnings: Warnings;
  private warnedDynamic = false;

  constructor(docs: DocumentSet, dialect: Dialect, warnings: Warnings) {
    this.docs = docs;
    this.dialect = dialect;
    this.warnings = warnings;
  }

  /** Named schemas of the root document keep their names (in document order, so renames are stable). */
  registerNamed(container: unknown, containerPointer: string): void {
    for (const [name] of entries(container)) this.register(this.docs.rootId, joinPointer(containerPointer, name), name);
  }

  get size(): number {
    return this.byName.size;
  }

  convert(schema: unknown, docId: string, pointer: string): unknown {
    if (typeof schema === "boolean") return schema;
    if (!isRecord(schema)) {
      this.warnings.add("invalid_schema", "schema is not an object; accepting any value", this.docs.location(docId, pointer));
      return {};
    }
    const cached = this.inline.get(schema);
    if (cached !== undefined) return cached;
    const converted = this.build(schema, docId, pointer);
    this.inline.set(schema, converted);
    return converted;
  }

  get(name: string): unknown {
    const entry = this.byName.get(name);
    if (!entry) return undefined;
    if (entry.converted === undefined) {
      entry.converted = {}; // placeholder while converting (a def that is its own alias)
      const value = this.docs.at(entry.docId, entry.pointer);
      entry.converted = value === undefined ? {} : this.convert(value, entry.docId, entry.pointer);
    }
    return entry.converted;
  }

  deps(name: string): readonly string[] {
    const entry = this.byName.get(name);
    if (!entry) return [];
    entry.deps ??= [...collectDefRefs(this.get(name))];
    return entry.deps;
  }

  location(name: string): ImportLocation | undefined {
    const entry = this.byName.get(name);
    return entry ? this.docs.location(entry.docId, entry.pointer) : undefined;
  }

  /** `$defs` name for the schema a `$ref` names; null (warned) when it cannot be resolved. */
  refName(ref: string, docId: string, pointer: string): string | null {
    const cacheKey = `${docId}\u0000${ref}`;
    const cached = this.refCache.get(cacheKey);
    if (cached !== undefined) {
      this.docs.refCount++;
      return cached;
    }
    const target = this.docs.resolve(ref, docId, pointer);
    let name: string | null = null;
    if (target) {
      const existing = this.byKey.get(`${target.docId}#${target.pointer}`);
      name = existing ? existing.name : this.register(target.docId, target.pointer, suggestName(target.docId, target.pointer)).name;
    }
    this.refCache.set(cacheKey, name);
    return name;
  }

  private register(docId: string, pointer: string, suggestion: string): DefEntry {
    const key = `${docId}#${pointer}`;
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const base = sanitizeDefName(suggestion);
    let name = base;
    for (let n = 2; this.byName.has(name); n++) name = `${base}_${n}`;
    const entry: DefEntry = { name, docId, pointer };
    this.byKey.set(key, entry);
    this.byName.set(name, entry);
    return entry;
  }

  private build(schema: JsonObject, docId: string, pointer: string): unknown {
    const out: JsonObject = {};
    const ref = schema["$ref"];
    const nullable = schema["nullable"] === true || schema["x-nullable"] === true;
    if (typeof ref === "string") {
      const name = this.refName(ref, docId, joinPointer(pointer, "$ref"));
      const target: JsonObject = name === null ? {} : { $ref: defRef(name) };
      // OpenAPI 3.0.3 §4.7.25 and Swagger 2.0: members beside $ref SHALL be ignored. `nullable`
      // beside $ref is common and clearly meant, so it is honoured.
      if (this.dialect !== "oas31") return nullable ? makeNullable(target) : target;
      Object.assign(out, target);
    }
    for (const key of Object.keys(schema)) {
      if (key === "$ref" || DROPPED.has(key) || key.startsWith("x-")) continue;
      const child = schema[key];
      if (SCHEMA_MAPS.has(key)) {
        if (!isRecord(child)) continue;
        const map: JsonObject = {};
        for (const [name, sub] of Object.entries(child)) setKey(map, name, this.convert(sub, docId, joinPointer(pointer, key, name)));
        out[key] = map;
      } else if (SINGLE_SCHEMA.has(key)) {
        if (isRecord(child) || typeof child === "boolean") out[key] = this.convert(child, docId, joinPointer(pointer, key));
      } else if (SCHEMA_LISTS.has(key)) {
        if (Array.isArray(child)) out[key] = child.map((sub, i) => this.convert(sub, docId, joinPointer(pointer, key, i)));
      } else if (key === "items") {
        // Array-form `items` (draft 4 tuples) is `prefixItems` in 2020-12 (§10.3.1.1).
        if (Array.isArray(child)) out["prefixItems"] = child.map((sub, i) => this.convert(sub, docId, joinPointer(pointer, key, i)));
        else if (isRecord(child) || typeof child === "boolean") out["items"] = this.convert(child, docId, joinPointer(pointer, key));
      } else if (key === "type") {
        if (child === "file") {
          // Swagger 2.0 §Schema Object: `file` is an upload; 2020-12 has no such type.
          out["type"] = "string";
          out["format"] ??= "binary";
        } else if (typeof child === "string" || (Array.isArray(child) && child.every((t) => typeof t === "string"))) out["type"] = child;
      } else if (key === "required") {
        if (Array.isArray(child)) out["required"] = child.filter((name): name is string => typeof name === "string");
      } else if (key === "example") {
        if (schema["examples"] === undefined) out["examples"] = [child];
      } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
        if (typeof child === "number") out[key] = child;
      } else if (key === "discriminator") {
        const discriminator = this.discriminator(child, docId, joinPointer(pointer, key));
        if (discriminator) out["discriminator"] = discriminator;
      } else if (key === "$dynamicRef" || key === "$recursiveRef") {
        if (!this.warnedDynamic) {
          this.warnedDynamic = true;
          this.warnings.add("unsupported_schema", `${key} is not supported; the reference accepts any value`, this.docs.location(docId, pointer));
        }
      } else {
        setKey(out, key, child);
      }
    }
    // Draft 4 boolean exclusive bounds (Swagger 2.0, OpenAPI 3.0) → 2020-12 numeric bounds.
    for (const [flag, bound] of [
      ["exclusiveMinimum", "minimum"],
      ["exclusiveMaximum", "maximum"],
    ] as const) {
      if (schema[flag] === true && typeof schema[bound] === "number") {
        out[flag] = schema[bound];
        delete out[bound];
      }
    }
    return nullable ? makeNullable(out) : out;
  }

  /** Keeps `discriminator` (OpenAPI §4.8.25) with its mapping rewritten to `$defs` references. */
  private discriminator(value: unknown, docId: string, pointer: string): JsonObject | null {
    if (typeof value === "string") return { propertyName: value }; // Swagger 2.0 form
    if (!isRecord(value) || typeof value["propertyName"] !== "string") return null;
    const out: JsonObject = { propertyName: value["propertyName"] };
    if (isRecord(value["mapping"])) {
      const mapping: JsonObject = {};
      for (const [key, target] of Object.entries(value["mapping"])) {
        if (typeof target !== "string") continue;
        // A mapping value is a reference, or a bare schema name (§4.8.25.1).
        const ref = /[#/.]/.test(target) ? target : (this.dialect === "swagger2" ? "#/definitions/" : "#/components/schemas/") + target;
        const where = joinPointer(pointer, "mapping", key);
        // A mapping names schemas, it does not include them: one into another file is not loaded, and only
        // loses the discriminator's shortcut (validation still tries every `oneOf` branch).
        if (!ref.startsWith("#") || this.docs.at(docId, safeFragment(ref)) === undefined) {
          const problem = ref.startsWith("#") ? "points to nothing" : "names another document, which is not followed";
          this.warnings.add("discriminator_mapping", `discriminator mapping ${JSON.stringify(key)} → ${JSON.stringify(ref.slice(0, 300))} ${problem}; the entry is left out`, this.docs.location(docId, where));
          continue;
        }
        const name = this.refName(ref, docId, where);
        if (name !== null) setKey(mapping, key, defRef(name));
      }
      out["mapping"] = mapping;
    }
    return out;
  }
}

/**
 * OpenAPI 3.0 `nullable: true` as 2020-12: `null` joins `type` (and `enum`, following the
 * 3.0.3 clarification that nullable widens the allowed values); a schema without `type`
 * (composition, `$ref`) becomes `anyOf: [schema, {type: "null"}]`.
 */
export function makeNullable(schema: JsonObject): JsonObject {
  const type = schema["type"];
  if (typeof type === "string" || Array.isArray(type)) {
    const types = typeof type === "string" ? [type] : type;
    if (!types.includes("null")) schema["type"] = [...types, "null"];
    const values = schema["enum"];
    if (Array.isArray(values) && !values.includes(null)) schema["enum"] = [...values, null];
    return schema;
  }
  if (Object.keys(schema).length === 0) return schema; // already accepts null
  const outer: JsonObject = {};
  const inner: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (OUTER_ANNOTATIONS.includes(key)) outer[key] = value;
    else inner[key] = value;
  }
  return { anyOf: [inner, { type: "null" }], ...outer };
}

function suggestName(docId: string, pointer: string): string {
  const tokens = parsePointer(pointer) ?? [];
  const last = tokens[tokens.length - 1];
  if (last !== undefined && last !== "") return last;
  // Whole-document reference: the file name without extension.
  const file = docId.split(/[/\\]/).pop() ?? "";
  return file.replace(/\.(json|ya?ml)$/i, "") || "schema";
}

/** `$defs` keys are plain identifiers, so `#/$defs/<name>` needs no escaping. */
export function sanitizeDefName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 100);
  if (name === "" || /^_+$/.test(name)) name = "schema";
  if (name === "__proto__") name = "proto_";
  return name;
}

/** Names behind `#/$defs/...` references anywhere in a converted schema. */
export function collectDefRefs(schema: unknown, into: Set<string> = new Set()): Set<string> {
  const stack: unknown[] = [schema];
  const add = (ref: unknown) => {
    if (typeof ref === "string" && ref.startsWith(DEFS_PREFIX)) into.add(ref.slice(DEFS_PREFIX.length));
  };
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const child of node) if (child !== null && typeof child === "object") stack.push(child);
      continue;
    }
    if (!isRecord(node)) continue;
    for (const key in node) {
      const child = node[key];
      if (key === "$ref") add(child);
      else if (SCHEMA_MAPS.has(key)) {
        // Keys of these maps are names, not keywords: every value is a schema.
        if (isRecord(child)) for (const sub of Object.values(child)) if (sub !== null && typeof sub === "object") stack.push(sub);
      } else if (key === "discriminator") {
        if (isRecord(child) && isRecord(child["mapping"])) for (const target of Object.values(child["mapping"])) add(target);
      } else if (child !== null && typeof child === "object" && !DATA_KEYS.has(key)) stack.push(child);
    }
  }
  return into;
}

const DATA_KEYS = new Set(["examples", "default", "enum", "const"]);

/**
 * `$defs` objects already built, per provider and set of direct references: schemas that refer
 * to the same definitions share one `$defs` object (treated as immutable, like its members).
 * Microsoft Graph's 41 700 action schemas carry 345 definitions each on average: building, hashing
 * and storing one object per distinct set instead of one per schema is what keeps it linear.
 */
interface BuiltDefs {
  byReferences: Map<string, JsonObject>;
  /** By closure, keyed by its definitions' numbers (sorted): far shorter keys than their names. */
  byClosure: Map<string, JsonObject>;
  /** Each definition name's number, in the order first met, and back. */
  numbers: Map<string, number>;
  names: string[];
  /** Per number: the numbers of the definitions it refers to directly. */
  deps: (number[] | undefined)[];
  /** Per number: the walk that last reached it (definitionClosure's visited set without a new Set per walk). */
  reached: number[];
  walks: number;
}

const builtDefs = new WeakMap<DefProvider, BuiltDefs>();

/** The `$defs` an action schema needs: the closure of its references, in name order. */
export function defsFor(roots: Iterable<unknown>, defs: DefProvider): JsonObject | null {
  const direct = new Set<string>();
  for (const root of roots) collectDefRefs(root, direct);
  if (direct.size === 0) return null;
  let built = builtDefs.get(defs);
  if (!built) builtDefs.set(defs, (built = { byReferences: new Map(), byClosure: new Map(), numbers: new Map(), names: [], deps: [], reached: [], walks: 0 }));
  const key = JSON.stringify([...direct].sort());
  const known = built.byReferences.get(key);
  if (known) return known;
  // Different references often reach the same definitions (the closure of Graph's entities is most of them).
  const reached = definitionClosure(direct, defs, built);
  const closureKey = reached.join(",");
  let closure = built.byClosure.get(closureKey);
  if (!closure) {
    closure = {};
    const names = Array.from(reached, (number) => built.names[number]!).sort();
    for (const name of names) setKey(closure, name, defs.get(name) ?? {});
    built.byClosure.set(closureKey, closure);
  }
  built.byReferences.set(key, closure);
  return closure;
}

/** The numbers of the definitions `direct` reaches through the definitions' references, sorted. */
function definitionClosure(direct: Set<string>, defs: DefProvider, built: BuiltDefs): Int32Array {
  const walk = ++built.walks;
  const found: number[] = [];
  const pending: number[] = [];
  const visit = (number: number) => {
    if (built.reached[number] === walk) return;
    built.reached[number] = walk;
    found.push(number);
    pending.push(number);
  };
  for (const name of direct) visit(definitionNumber(name, built));
  while (pending.length > 0) {
    const number = pending.pop()!;
    let deps = built.deps[number];
    if (deps === undefined) {
      deps = defs.deps(built.names[number]!).map((dep) => definitionNumber(dep, built));
      built.deps[number] = deps;
    }
    for (const dep of deps) visit(dep);
  }
  return Int32Array.from(found).sort();
}

function definitionNumber(name: string, built: BuiltDefs): number {
  let number = built.numbers.get(name);
  if (number === undefined) {
    number = built.names.length;
    built.numbers.set(name, number);
    built.names.push(name);
  }
  return number;
}

/** The JSON pointer of a same-document reference (`#/components/schemas/Cat`), percent-decoded (RFC 6901 §6). */
function safeFragment(ref: string): string {
  try {
    return decodeURIComponent(ref.slice(1));
  } catch {
    return ref.slice(1);
  }
}
