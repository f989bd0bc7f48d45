import type { BodyModel, EncodingModel, OperationModel, ParamModel } from "./model.js";
import { isJsonMediaType } from "./model.js";
import type { Warnings } from "./problem.js";
import { DEFS_PREFIX, defsFor } from "./schema-convert.js";
import type { DefProvider } from "./schema-convert.js";
import { isRecord, setKey } from "./util.js";
import type { JsonObject } from "./util.js";

/**
 * An action's input is one JSON Schema object (see the contract's ActionDefinition):
 *
 * - every parameter is a property carrying `x-waygate-in` ("path" | "query" | "header" | "cookie");
 *   `x-waygate-name` holds the wire name when the property had to be renamed, and
 *   `x-waygate-style` / `x-waygate-explode` the OpenAPI serialisation when declared;
 * - an object body (JSON, form or multipart) is flattened: its properties sit beside the
 *   parameters with `x-waygate-in: "body"`, and the root carries `x-waygate-content-type`;
 *   a form property's OpenAPI encoding is `x-waygate-style` / `x-waygate-explode` /
 *   `x-waygate-part-content-type` (Stripe: `metadata` is deepObject → `metadata[plan]=pro`);
 * - any other body (array, scalar, free-form map, non-JSON media type, or an object whose
 *   property names clash with a parameter) is one property — `body` unless taken — with
 *   `x-waygate-in: "body"` and `x-waygate-content-type`: that property IS the request body,
 *   and carries the form encodings as `x-waygate-encoding` (property name → encoding);
 * - referenced schemas live under the root's `$defs`.
 */
export function buildInputSchema(op: OperationModel, defs: DefProvider, warnings: Warnings): JsonObject {
  const properties: JsonObject = {};
  const required: string[] = [];
  const root: JsonObject = { type: "object", properties };

  for (const param of op.params) {
    let key = param.name;
    const property = paramProperty(param);
    if (Object.hasOwn(properties, key) || key === "__proto__") {
      key = uniqueKey(properties, `${param.in}_${param.name}`);
      property["x-waygate-name"] = param.name;
      warnings.add("name_collision", `${param.in} parameter "${param.name}" clashes with another input; exposed as "${key}"`, op.location);
    }
    setKey(properties, key, property);
    if (param.required) required.push(key);
  }

  // Stripe declares an empty form body (no properties, nothing else allowed) on every GET and DELETE: no input.
  const body = op.body && !isClosedEmptyObject(op.body.schema) ? op.body : null;
  if (body) {
    const shape = hasFields(body.contentType) ? objectShape(body.schema, defs, new Set()) : null;
    const clash = shape?.properties.find(([name]) => Object.hasOwn(properties, name) || name === "__proto__");
    if (shape && !clash) {
      for (const [name, schema] of shape.properties) setKey(properties, name, { ...asObject(schema), "x-waygate-in": "body", ...encodingKeywords(body.encoding, name) });
      // An optional body may be omitted whole, so its inner required list binds only when the body is required.
      if (body.required) for (const name of shape.required) if (Object.hasOwn(properties, name) && !required.includes(name)) required.push(name);
      root["x-waygate-content-type"] = body.contentType;
    } else {
      const key = uniqueKey(properties, "body");
      const property: JsonObject = { ...asObject(body.schema), "x-waygate-in": "body", "x-waygate-content-type": body.contentType };
      if (body.description !== undefined && property["description"] === undefined) property["description"] = body.description;
      if (clash) {
        warnings.add("name_collision", `body property "${clash[0]}" clashes with a parameter; the body is kept whole under "${key}"`, op.location);
        // The docs of the action (generated JSDoc, `actions show`) say why this one differs from its siblings.
        const why = `The request body, passed whole as \`${key}\`: its field "${clash[0]}" has the name of a ${describeClash(properties, clash[0])}.`;
        property["description"] = typeof property["description"] === "string" ? `${property["description"]}\n\n${why}` : why;
      }
      if (body.encoding) property["x-waygate-encoding"] = Object.fromEntries(Object.entries(body.encoding).map(([name, { headers: _headers, ...rest }]) => [name, rest]));
      setKey(properties, key, property);
      if (body.required) required.push(key);
    }
    const partHeaders = partHeadersProperty(body);
    if (partHeaders) setKey(properties, uniqueKey(properties, "partHeaders"), partHeaders);
  }

  if (required.length > 0) root["required"] = required;
  const $defs = defsFor([properties], defs);
  if ($defs) root["$defs"] = $defs;
  return root;
}

function isClosedEmptyObject(schema: unknown): boolean {
  return isRecord(schema) && schema["type"] === "object" && schema["additionalProperties"] === false && isRecord(schema["properties"]) && Object.keys(schema["properties"]).length === 0 && schema["allOf"] === undefined && schema["anyOf"] === undefined && schema["oneOf"] === undefined;
}

/** Media types whose object bodies are fields the caller fills one by one: JSON, forms, multipart. */
function hasFields(contentType: string): boolean {
  const essence = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return isJsonMediaType(contentType) || essence === "application/x-www-form-urlencoded" || essence === "multipart/form-data";
}

/**
 * A flattened form property's encoding as the keywords the gateway reads; the part's media
 * type is `x-waygate-part-content-type`, because `x-waygate-content-type` on a body property
 * means "this property is the whole body".
 */
function encodingKeywords(encoding: Record<string, EncodingModel> | undefined, name: string): JsonObject {
  const entry = encoding && Object.hasOwn(encoding, name) ? encoding[name] : undefined;
  const out: JsonObject = {};
  if (entry?.style !== undefined) out["x-waygate-style"] = entry.style;
  if (entry?.explode !== undefined) out["x-waygate-explode"] = entry.explode;
  if (entry?.contentType !== undefined) out["x-waygate-part-content-type"] = entry.contentType;
  return out;
}

/**
 * The multipart parts' headers (the Encoding Objects' `headers`) as one optional input,
 * `partHeaders: { <part>: { <Header-Name>: value } }` (`x-waygate-in: "part-headers"`): the
 * gateway sends them with their part, filling a header the caller leaves out from its schema's
 * `const` or `default`. A required header binds when its part is sent.
 */
function partHeadersProperty(body: BodyModel): JsonObject | undefined {
  if (!body.encoding || (body.contentType.split(";")[0] ?? "").trim().toLowerCase() !== "multipart/form-data") return undefined;
  const parts: JsonObject = {};
  for (const [part, encoding] of Object.entries(body.encoding)) {
    if (!encoding.headers || encoding.headers.length === 0) continue;
    const headers: JsonObject = {};
    const required: string[] = [];
    for (const header of encoding.headers) {
      const schema = { ...asObject(header.schema) };
      if (header.description !== undefined && schema["description"] === undefined) schema["description"] = header.description;
      setKey(headers, header.name, schema);
      if (header.required && schema["const"] === undefined && schema["default"] === undefined) required.push(header.name);
    }
    setKey(parts, part, { type: "object", properties: headers, ...(required.length > 0 ? { required } : {}), additionalProperties: false });
  }
  if (Object.keys(parts).length === 0) return undefined;
  return {
    type: "object",
    description: "Headers of the multipart body's parts, by part name, sent with their part.",
    properties: parts,
    additionalProperties: false,
    "x-waygate-in": "part-headers",
  };
}

function describeClash(properties: JsonObject, name: string): string {
  const other = properties[name];
  const where = isRecord(other) && typeof other["x-waygate-in"] === "string" ? other["x-waygate-in"] : "";
  return where ? `${where} parameter` : "parameter";
}

function paramProperty(param: ParamModel): JsonObject {
  const property: JsonObject = { ...asObject(param.schema), "x-waygate-in": param.in };
  if (param.description !== undefined && property["description"] === undefined) property["description"] = param.description;
  if (param.deprecated) property["deprecated"] = true;
  if (param.style !== undefined) property["x-waygate-style"] = param.style;
  if (param.explode !== undefined) property["x-waygate-explode"] = param.explode;
  if (param.contentType !== undefined) property["x-waygate-content-type"] = param.contentType;
  return property;
}

/** A schema as an object schema: `true` accepts anything (`{}`), `false` nothing. */
export function asObject(schema: unknown): JsonObject {
  if (isRecord(schema)) return schema;
  return schema === false ? { not: {} } : {};
}

function uniqueKey(properties: JsonObject, base: string): string {
  let key = base;
  for (let n = 2; Object.hasOwn(properties, key) || key === "__proto__"; n++) key = `${base}${n}`;
  return key;
}

export interface ObjectShape {
  properties: [string, unknown][];
  required: string[];
}

const REF_ANNOTATIONS = new Set(["$ref", "description", "title"]);

/**
 * Properties of a schema that is plainly "an object with these properties", looking through
 * `$ref` and `allOf` (OpenAPI 3.1 §4.8.24.2.1 composition). Null for anything else: unions,
 * nullable objects, free-form maps (`additionalProperties` with a schema), no properties.
 */
export function objectShape(schema: unknown, defs: DefProvider, seen: Set<string>): ObjectShape | null {
  if (!isRecord(schema)) return null;
  const ref = schema["$ref"];
  if (typeof ref === "string") {
    if (!ref.startsWith(DEFS_PREFIX) || Object.keys(schema).some((key) => !REF_ANNOTATIONS.has(key))) return null;
    const name = ref.slice(DEFS_PREFIX.length);
    if (seen.has(name)) return null;
    seen.add(name);
    const shape = objectShape(defs.get(name), defs, seen);
    seen.delete(name);
    return shape;
  }
  if (schema["type"] !== undefined && schema["type"] !== "object") return null;
  for (const key of ["anyOf", "oneOf", "not", "if", "patternProperties", "unevaluatedProperties"]) if (schema[key] !== undefined) return null;
  const extra = schema["additionalProperties"];
  if (isRecord(extra) && Object.keys(extra).length > 0) return null;

  const merged = new Map<string, unknown>();
  const required = new Set<string>();
  const add = (name: string, sub: unknown) => {
    const existing = merged.get(name);
    merged.set(name, existing === undefined ? sub : { allOf: [existing, sub] });
  };
  if (Array.isArray(schema["allOf"])) {
    for (const member of schema["allOf"]) {
      const shape = objectShape(member, defs, seen);
      if (!shape) return null;
      for (const [name, sub] of shape.properties) add(name, sub);
      for (const name of shape.required) required.add(name);
    }
  }
  if (schema["properties"] !== undefined && !isRecord(schema["properties"])) return null;
  for (const [name, sub] of Object.entries((schema["properties"] as JsonObject | undefined) ?? {})) add(name, sub);
  if (Array.isArray(schema["required"])) for (const name of schema["required"]) if (typeof name === "string") required.add(name);
  if (merged.size === 0) return null;
  return { properties: [...merged], required: [...required].filter((name) => merged.has(name)) };
}
