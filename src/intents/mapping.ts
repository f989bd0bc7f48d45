/**
 * The intent mapping language: declarative steps over JSON pointers (RFC 6901), chosen over
 * an expression language such as JSONata because every step names its source and target
 * fields, so a binding is checked against both schemas when it is defined (a required field
 * nothing fills, a field that does not exist, a number sent where a string is expected) and
 * the canonical fields a provider cannot take are known before any call. Pointers are
 * parsed by the gateway's pointer module, which refuses `__proto__` and friends.
 */
import type { FieldError, JsonSchema, MappingStep } from "../contract/index.js";
import { getAt, parsePointer, PointerError, setAt } from "../gateway/pointer.js";

/** `{/title}`: a source field inside a template. */
const PLACEHOLDER = /\{(\/[^{}]*)\}/g;

/** The pointers a step reads from its source document. */
export function sourcesOf(step: MappingStep): string[] {
  switch (step.op) {
    case "move":
    case "set":
      return [step.from];
    case "template":
      return [...step.template.matchAll(PLACEHOLDER)].map((match) => match[1]!);
    case "drop":
      return [step.path];
    case "constant":
      return [];
  }
}

/**
 * Runs steps over `source`, building a new document: nothing is copied unless a step says
 * so. A step whose source field is absent is skipped (an optional field not given).
 */
export function applyMapping(steps: readonly MappingStep[], source: unknown): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  for (const step of steps) {
    switch (step.op) {
      case "move":
      case "set": {
        const value = getAt(source, step.from);
        if (value !== undefined) setAt(target, parsePointer(step.to), structuredClone(value));
        break;
      }
      case "constant":
        setAt(target, parsePointer(step.to), structuredClone(step.value));
        break;
      case "template":
        setAt(target, parsePointer(step.to), step.template.replace(PLACEHOLDER, (_whole, pointer: string) => textOf(getAt(source, pointer))));
        break;
      case "drop":
        break;
    }
  }
  return target;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------
// Checking a mapping against schemas, at bind time

/** What a pointer finds in a schema: the sub-schema, or `open` when the schema allows any member there. */
type Lookup = { kind: "found"; schema: JsonSchema; required: boolean } | { kind: "open" } | { kind: "missing"; known: string[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Properties of a schema, including those of its `allOf` members (a common way to compose objects). */
function propertiesOf(schema: JsonSchema): { properties: Record<string, JsonSchema>; required: Set<string>; declared: boolean } {
  const properties: Record<string, JsonSchema> = {};
  const required = new Set<string>();
  let declared = false;
  for (const part of [schema, ...(Array.isArray(schema["allOf"]) ? schema["allOf"].filter(isObject) : [])]) {
    if (isObject(part["properties"])) {
      declared = true;
      for (const [name, value] of Object.entries(part["properties"])) if (isObject(value)) properties[name] = value;
    }
    if (Array.isArray(part["required"])) for (const name of part["required"]) if (typeof name === "string") required.add(name);
  }
  return { properties, required, declared };
}

/**
 * Walks a schema along a pointer. A level that declares no properties (or allows others) is
 * open: any member may be there. Arrays are entered through `items` for an index or `-`.
 */
export function lookup(schema: JsonSchema | null, pointer: string): Lookup {
  if (schema === null) return { kind: "open" };
  let current: JsonSchema = schema;
  let required = true;
  for (const segment of parsePointer(pointer)) {
    if (current["type"] === "array" || isObject(current["items"])) {
      if (!/^(0|[1-9][0-9]*|-)$/.test(segment) || !isObject(current["items"])) return { kind: "open" };
      current = current["items"];
      required = false;
      continue;
    }
    const { properties, required: needed, declared } = propertiesOf(current);
    const next = properties[segment];
    // Declared properties are the contract: a pointer to any other name is a mistake (a typo), not an extra.
    if (!next) return declared ? { kind: "missing", known: Object.keys(properties).map((name) => `/${name}`) } : { kind: "open" };
    required &&= needed.has(segment);
    current = next;
  }
  return { kind: "found", schema: current, required };
}

/** Every required leaf-or-object field of a schema, as pointers, following required objects one level at a time. */
export function requiredFields(schema: JsonSchema | null, prefix = "", depth = 0): string[] {
  if (schema === null || depth > 8) return [];
  const { properties, required } = propertiesOf(schema);
  const out: string[] = [];
  for (const name of [...required].sort()) {
    const pointer = `${prefix}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    out.push(pointer);
    const child = properties[name];
    if (child) out.push(...requiredFields(child, pointer, depth + 1));
  }
  return out;
}

/** The top-level fields a schema declares, as pointers. */
export function topLevelFields(schema: JsonSchema): string[] {
  return Object.keys(propertiesOf(schema).properties)
    .sort()
    .map((name) => `/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`);
}

/** The JSON types a schema allows, or null when it does not say. */
function typesOf(schema: JsonSchema): Set<string> | null {
  const declared = schema["type"];
  const list = typeof declared === "string" ? [declared] : Array.isArray(declared) ? declared.filter((item): item is string => typeof item === "string") : null;
  if (list === null) {
    if (Array.isArray(schema["enum"])) return new Set(schema["enum"].map(jsonTypeOf));
    if ("const" in schema) return new Set([jsonTypeOf(schema["const"])]);
    return null;
  }
  const types = new Set(list);
  if (types.has("number")) types.add("integer");
  return types;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Whether a value of `from`'s types always fits `to`'s (unknown types fit anything). */
function fits(from: Set<string> | null, to: Set<string> | null): boolean {
  if (from === null || to === null) return true;
  return [...from].every((type) => to.has(type) || (type === "integer" && to.has("number")));
}

export interface MappingSchemas {
  /** The document the steps read. */
  source: JsonSchema | null;
  /** The document the steps build. */
  target: JsonSchema | null;
  /** How messages name them: "the canonical input", "slack chat.postMessage's input". */
  sourceName: string;
  targetName: string;
  /** Input direction: a required target field may only come from a required source field (else some calls could not be sent). */
  strictSources: boolean;
}

/**
 * What is wrong with a mapping against the two schemas, as field errors under `field`
 * (`body.mapping.input[2].to`). An empty list: every step reads a field the source has,
 * writes one the target has with a fitting type, and every required target field is filled.
 */
export function checkMapping(steps: readonly MappingStep[], schemas: MappingSchemas, field: string): FieldError[] {
  const errors: FieldError[] = [];
  /** Target pointer → whether some step always fills it. */
  const filled = new Map<string, boolean>();
  steps.forEach((step, index) => {
    const at = `${field}[${index}]`;
    try {
      const readTypes: (Set<string> | null)[] = [];
      let alwaysPresent = true;
      for (const pointer of sourcesOf(step)) {
        const found = lookup(schemas.source, pointer);
        if (found.kind === "missing") {
          errors.push({ field: `${at}.${step.op === "drop" ? "path" : step.op === "template" ? "template" : "from"}`, message: `${JSON.stringify(pointer)} is not a field of ${schemas.sourceName}${found.known.length > 0 ? ` (it has ${found.known.join(", ")})` : ""}` });
          return;
        }
        if (found.kind === "found") {
          readTypes.push(typesOf(found.schema));
          alwaysPresent &&= found.required;
        } else {
          readTypes.push(null);
          alwaysPresent = false;
        }
      }
      if (step.op === "drop") return;
      const target = lookup(schemas.target, step.to);
      if (target.kind === "missing") {
        errors.push({ field: `${at}.to`, message: `${JSON.stringify(step.to)} is not a field of ${schemas.targetName}${target.known.length > 0 ? ` (it has ${target.known.join(", ")})` : ""}` });
        return;
      }
      const targetTypes = target.kind === "found" ? typesOf(target.schema) : null;
      const valueTypes = step.op === "constant" ? new Set([jsonTypeOf(step.value)]) : step.op === "template" ? new Set(["string"]) : (readTypes[0] ?? null);
      if (!fits(valueTypes, targetTypes)) {
        errors.push({ field: `${at}.to`, message: `${schemas.targetName} expects ${[...targetTypes!].join(" or ")} at ${step.to}, and this step gives ${[...valueTypes!].join(" or ")}` });
      }
      const always = step.op === "constant" || step.op === "template" || alwaysPresent;
      filled.set(step.to, (filled.get(step.to) ?? false) || always);
    } catch (error) {
      if (error instanceof PointerError) errors.push({ field: at, message: error.message });
      else throw error;
    }
  });
  for (const required of requiredFields(schemas.target)) {
    // Filled by a step writing it, or a field inside it (which creates it).
    const writers = [...filled].filter(([to]) => to === required || to.startsWith(`${required}/`));
    if (writers.length === 0) {
      // A required object whose own required members are checked separately is filled by them.
      if ([...filled.keys()].some((to) => required.startsWith(`${to}/`))) continue;
      errors.push({ field, message: `${schemas.targetName} requires ${required}, and no step fills it: add a move, set, constant or template step with "to": ${JSON.stringify(required)}` });
    } else if (schemas.strictSources && !writers.some(([, always]) => always)) {
      errors.push({ field, message: `${schemas.targetName} requires ${required}, which is filled only from an optional field of ${schemas.sourceName}: make that field required in the intent, or fill ${required} with a constant or template` });
    }
  }
  return errors;
}

/**
 * The canonical input fields a binding cannot take: top-level fields of the canonical input
 * that no step reads, and fields it drops explicitly. Reported per call when given.
 */
export function unsupportedFields(steps: readonly MappingStep[], canonicalInput: JsonSchema): string[] {
  const read = steps.filter((step) => step.op !== "drop").flatMap(sourcesOf);
  const dropped = steps.filter((step) => step.op === "drop").flatMap(sourcesOf);
  const unread = topLevelFields(canonicalInput).filter((field) => !read.some((pointer) => pointer === field || pointer.startsWith(`${field}/`)));
  return [...new Set([...unread, ...dropped])].sort();
}

/** The unsupported fields a call's input actually holds. */
export function unsupportedIn(input: unknown, unsupported: readonly string[]): string[] {
  return unsupported.filter((pointer) => getAt(input, pointer) !== undefined);
}
