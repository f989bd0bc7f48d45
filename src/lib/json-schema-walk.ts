/**
 * Where JSON Schema keeps subschemas (2020-12 Core §10 and Validation, plus the draft-04…07
 * spellings Ajv still reads), and whether each applies to the same instance ("in place",
 * Core §10.2) or to a part of it. A `$ref` cycle that never leaves the instance can never
 * end; one that passes through `properties` or `items` ends when the data does.
 */

/** Keywords whose value is one subschema applied to the same instance. */
const IN_PLACE_SINGLE = new Set(["not", "if", "then", "else"]);
/** Keywords whose value is a list of subschemas applied to the same instance. */
const IN_PLACE_LISTS = new Set(["allOf", "anyOf", "oneOf"]);
/** Keywords whose value maps names to subschemas applied to the same instance. */
const IN_PLACE_MAPS = new Set(["dependentSchemas"]);
/** One subschema applied to a part of the instance (a member, an item, a property name). */
const CHILD_SINGLE = new Set(["additionalProperties", "additionalItems", "items", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema"]);
const CHILD_LISTS = new Set(["prefixItems", "items"]);
const CHILD_MAPS = new Set(["properties", "patternProperties"]);
/** Subschemas that are only reached through `$ref`. */
const DEFINITION_MAPS = new Set(["$defs", "definitions"]);

export interface Subschema {
  /** The keyword and, for lists and maps, the index or name: the pointer tokens below the parent. */
  tokens: string[];
  schema: Record<string, unknown> | boolean;
  /** Applies to the parent's own instance (so a cycle through it does not consume the data). */
  inPlace: boolean;
}

/** The direct subschemas of one schema object. Values under data keywords (`enum`, `const`, `default`, `examples`) are never visited. */
export function subschemasOf(schema: Record<string, unknown>): Subschema[] {
  const found: Subschema[] = [];
  for (const [keyword, value] of Object.entries(schema)) {
    const inPlace = IN_PLACE_SINGLE.has(keyword) || IN_PLACE_LISTS.has(keyword) || IN_PLACE_MAPS.has(keyword);
    if ((IN_PLACE_SINGLE.has(keyword) || CHILD_SINGLE.has(keyword)) && isSchema(value)) {
      found.push({ tokens: [keyword], schema: value, inPlace });
    } else if ((IN_PLACE_LISTS.has(keyword) || CHILD_LISTS.has(keyword)) && Array.isArray(value)) {
      value.forEach((item, index) => {
        if (isSchema(item)) found.push({ tokens: [keyword, String(index)], schema: item, inPlace });
      });
    } else if ((IN_PLACE_MAPS.has(keyword) || CHILD_MAPS.has(keyword) || DEFINITION_MAPS.has(keyword) || keyword === "dependencies") && isObject(value)) {
      // Draft-07 `dependencies` mixes schemas (in place) and lists of names.
      const mapInPlace = inPlace || keyword === "dependencies";
      for (const [name, item] of Object.entries(value)) {
        if (isSchema(item)) found.push({ tokens: [keyword, name], schema: item, inPlace: mapInPlace && !DEFINITION_MAPS.has(keyword) });
      }
    }
  }
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSchema(value: unknown): value is Record<string, unknown> | boolean {
  return typeof value === "boolean" || isObject(value);
}
