import { FormData } from "undici";
import { invalidInput } from "./problems.js";
import { bracketPairs, encodeComponent, scalarText } from "./serialize.js";

/** A body ready to send. FormData is rebuilt per attempt because a sent stream cannot be replayed. */
export type RequestBody = { kind: "bytes"; contentType: string; data: string | Uint8Array } | { kind: "multipart"; build: () => FormData };

type Json = Record<string, unknown>;

export function isJsonMediaType(contentType: string): boolean {
  const essence = mediaEssence(contentType);
  return essence === "application/json" || essence.endsWith("+json");
}

export function mediaEssence(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

/** RFC 2397 `data:[<type>][;base64],<data>`: how a JSON input carries bytes for binary bodies and file parts. */
export function parseDataUrl(value: string): { type: string; bytes: Uint8Array } | null {
  const match = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(value);
  if (!match) return null;
  const data = match[3]!;
  const bytes = match[2] ? Buffer.from(data, "base64") : Buffer.from(decodeURIComponent(data), "utf8");
  return { type: match[1] || "application/octet-stream", bytes: new Uint8Array(bytes) };
}

/**
 * How one form or multipart property is serialised (the OpenAPI Encoding Object, §4.8.15):
 * `style` form (default), spaceDelimited, pipeDelimited or deepObject; `contentType` of a multipart part.
 */
export interface PropertyEncoding {
  style?: string | undefined;
  explode?: boolean | undefined;
  contentType?: string | undefined;
}

export type Encodings = Readonly<Record<string, PropertyEncoding>>;

/**
 * Encodes `value` as `contentType` (OpenAPI 3.1 §4.8.14–4.8.15 Media Type and Encoding
 * objects): JSON and `+json` types; `application/x-www-form-urlencoded` (see formUrlEncoded);
 * `multipart/form-data` (one part per property, `format: binary` properties or data URLs
 * as file parts, deepObject properties as one part per leaf, other objects as JSON);
 * `text/*` as text; anything else as bytes from a string or data URL.
 */
export function encodeBody(contentType: string, value: unknown, schema: Json | undefined, field: string, encodings: Encodings = {}): RequestBody {
  const essence = mediaEssence(contentType);
  if (isJsonMediaType(contentType)) return { kind: "bytes", contentType, data: JSON.stringify(value) };
  if (essence === "application/x-www-form-urlencoded") {
    if (typeof value === "string") return { kind: "bytes", contentType, data: value };
    return { kind: "bytes", contentType, data: formUrlEncoded(objectValue(value, field), encodings) };
  }
  if (essence === "multipart/form-data") {
    const object = objectValue(value, field);
    const properties = (schema?.["properties"] ?? {}) as Record<string, Json | undefined>;
    return { kind: "multipart", build: () => multipart(object, properties, encodings) };
  }
  if (typeof value !== "string") {
    if (value instanceof Uint8Array) return { kind: "bytes", contentType, data: value };
    if (essence.startsWith("text/")) return { kind: "bytes", contentType, data: scalarText(value) };
    throw invalidInput(`${field} must be a string (or a data: URL) for a ${essence} body`, [{ field, message: `must be a string for ${essence}` }]);
  }
  const decoded = essence.startsWith("text/") ? null : parseDataUrl(value);
  return { kind: "bytes", contentType, data: decoded ? decoded.bytes : value };
}

function objectValue(value: unknown, field: string): Json {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Json;
  throw invalidInput(`${field} must be an object for a form body`, [{ field, message: "must be an object" }]);
}

/** Unencoded `name=value` pairs of one form property by its encoding (OpenAPI 3.1 §4.8.12.4 style table). */
function formPairs(name: string, value: unknown, encoding: PropertyEncoding | undefined): [string, string][] {
  const style = encoding?.style ?? "form";
  if (style === "deepObject") return bracketPairs(name, value);
  const explode = encoding?.explode ?? style === "form";
  if (Array.isArray(value)) {
    if (explode) return value.map((item) => [name, scalarText(item)]);
    const delimiter = style === "spaceDelimited" ? " " : style === "pipeDelimited" ? "|" : ",";
    return [[name, value.map(scalarText).join(delimiter)]];
  }
  if (typeof value === "object" && value !== null && encoding !== undefined) {
    // A declared form style: exploded objects are their own pairs, unexploded ones "k,v,k,v" (§4.8.12.4).
    const pairs = Object.entries(value).filter(([, item]) => item !== undefined);
    if (explode) return pairs.map(([key, item]) => [key, scalarText(item)]);
    return [[name, pairs.flatMap(([key, item]) => [key, scalarText(item)]).join(",")]];
  }
  // No encoding declared: nested values go as JSON text, as before encodings were read.
  return [[name, scalarText(value)]];
}

/**
 * `application/x-www-form-urlencoded`, in the property order of the input. Names and values
 * are percent-encoded outside RFC 3986's unreserved characters (a space is `%20`), then `[`
 * and `]` are left literal: byte for byte what stripe-node's `stringifyRequestData` sends,
 * and what every form decoder (WHATWG URLSearchParams, qs, Rack) reads the same as `+`.
 */
function formUrlEncoded(object: Json, encodings: Encodings): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(object)) {
    if (value === undefined) continue;
    for (const [key, text] of formPairs(name, value, Object.hasOwn(encodings, name) ? encodings[name] : undefined)) {
      pairs.push(`${encodeComponent(key)}=${encodeComponent(text)}`.replace(/%5B/g, "[").replace(/%5D/g, "]"));
    }
  }
  return pairs.join("&");
}

function multipart(object: Json, properties: Record<string, Json | undefined>, encodings: Encodings): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(object)) {
    if (value === undefined) continue;
    const encoding = Object.hasOwn(encodings, name) ? encodings[name] : undefined;
    const binary = properties[name]?.["format"] === "binary";
    if (encoding?.style === "deepObject") {
      // stripe-node's flattenAndStringify: one part per leaf, named in bracket notation.
      for (const [key, text] of bracketPairs(name, value)) form.append(key, text);
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) appendPart(form, name, item, binary, encoding?.contentType);
  }
  return form;
}

function appendPart(form: FormData, name: string, value: unknown, binary: boolean, partType: string | undefined): void {
  if (typeof value === "string") {
    const file = parseDataUrl(value);
    if (file) form.append(name, new Blob([file.bytes], { type: partType ?? file.type }), name);
    else if (binary) form.append(name, new Blob([value], { type: partType ?? "application/octet-stream" }), name);
    else if (partType !== undefined && !mediaEssence(partType).startsWith("text/plain")) form.append(name, new Blob([value], { type: partType }));
    else form.append(name, value);
    return;
  }
  if (typeof value === "object" && value !== null) {
    form.append(name, new Blob([JSON.stringify(value)], { type: partType ?? "application/json" }));
    return;
  }
  form.append(name, scalarText(value));
}
