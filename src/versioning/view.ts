import { isRecord, type JsonObject } from "./json.js";
import { NEVER, typeList } from "./resolve.js";
import type { AdditionalProperties } from "./severity.js";

/** The facts of one resolved schema node that the comparer looks at. */
export interface SchemaView {
  never: boolean;
  /** Sorted, without "null"; undefined when the node does not constrain the type. */
  types: string[] | undefined;
  nullable: boolean;
  /** `enum`, or `const` as a one-value enum. */
  values: unknown[] | undefined;
  properties: JsonObject;
  required: Set<string>;
  additional: { state: AdditionalProperties; schema: unknown };
  items: unknown;
  prefixItems: unknown[];
  variants: { keyword: "oneOf" | "anyOf"; schemas: unknown[] } | undefined;
  unresolvedRef: string | undefined;
}

export function viewOf(schema: JsonObject): SchemaView {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const declared = typeList(schema.type);
  // OpenAPI 3.0's `nullable: true` is how most imported specs say "or null".
  const nullable = (declared?.includes("null") ?? false) || schema.nullable === true;
  return {
    never: schema === NEVER,
    types: declared ? [...new Set(declared.filter((type) => type !== "null"))].sort() : inferTypes(schema),
    nullable,
    values: Array.isArray(schema.enum) ? schema.enum : Object.hasOwn(schema, "const") ? [schema.const] : undefined,
    properties,
    required: new Set(Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === "string") : []),
    additional: additionalOf(schema),
    // Draft-07 tuples (`items: [...]`) are 2020-12's prefixItems.
    items: Array.isArray(schema.items) ? schema.additionalItems : schema.items,
    prefixItems: Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [],
    variants: variantsOf(schema),
    unresolvedRef: typeof schema.$ref === "string" ? schema.$ref : undefined,
  };
}

/**
 * Imported schemas often drop `type: object` next to `properties`; inferring it keeps a
 * version that adds or drops the redundant keyword from reading as a type change.
 */
function inferTypes(schema: JsonObject): string[] | undefined {
  if (isRecord(schema.properties) || Array.isArray(schema.required) || schema.additionalProperties !== undefined) return ["object"];
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return ["array"];
  return undefined;
}

function additionalOf(schema: JsonObject): SchemaView["additional"] {
  const value = schema.additionalProperties ?? schema.unevaluatedProperties;
  if (value === false) return { state: "closed", schema: false };
  if (isRecord(value) && Object.keys(value).length > 0) return { state: "schema", schema: value };
  return { state: "open", schema: {} };
}

function variantsOf(schema: JsonObject): SchemaView["variants"] {
  // oneOf and anyOf both say "one of these shapes"; exclusivity is not compared.
  if (Array.isArray(schema.oneOf)) return { keyword: "oneOf", schemas: schema.oneOf };
  if (Array.isArray(schema.anyOf)) return { keyword: "anyOf", schemas: schema.anyOf };
  return undefined;
}

/** `a ⊆ b` for type lists, where undefined means "any" and integer ⊂ number. */
export function typesWithin(a: string[] | undefined, b: string[] | undefined): boolean {
  if (b === undefined) return true;
  if (a === undefined) return false;
  return a.every((type) => b.includes(type) || (type === "integer" && b.includes("number")));
}
