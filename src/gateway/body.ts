import { randomBytes } from "node:crypto";
import { invalidInput } from "./problems.js";
import { bracketPairs, encodeComponent, scalarText } from "./serialize.js";

/** A body ready to send (bytes, so that a retry sends it again as is). */
export type RequestBody = { kind: "bytes"; contentType: string; data: string | Uint8Array };

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
  /** Headers of a multipart part besides Content-Disposition and Content-Type (the Encoding Object's `headers`), checked already. */
  headers?: Readonly<Record<string, string>> | undefined;
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
    return multipart(object, properties, encodings);
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

/** One part of a multipart/form-data body (RFC 7578). */
interface Part {
  name: string;
  /** Present for a file part. */
  filename?: string;
  contentType?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  data: string | Uint8Array;
}

function multipart(object: Json, properties: Record<string, Json | undefined>, encodings: Encodings): RequestBody {
  const parts: Part[] = [];
  for (const [name, value] of Object.entries(object)) {
    if (value === undefined) continue;
    const encoding = Object.hasOwn(encodings, name) ? encodings[name] : undefined;
    const binary = properties[name]?.["format"] === "binary";
    if (encoding?.style === "deepObject") {
      // stripe-node's flattenAndStringify: one part per leaf, named in bracket notation.
      for (const [key, text] of bracketPairs(name, value)) parts.push({ name: key, data: text, headers: encoding.headers });
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) parts.push({ ...partOf(name, item, binary, encoding?.contentType), headers: encoding?.headers });
  }
  return writeMultipart(parts);
}

/**
 * A data URL or a `format: binary` string is a file part; a string in a declared non-text
 * media type, or an object (JSON), a part of that type with the filename "blob" (what a
 * WHATWG FormData gives a Blob appended without one); anything else a text field.
 */
function partOf(name: string, value: unknown, binary: boolean, partType: string | undefined): Part {
  if (typeof value === "string") {
    const file = parseDataUrl(value);
    if (file) return { name, filename: name, contentType: partType ?? file.type, data: file.bytes };
    if (binary) return { name, filename: name, contentType: partType ?? "application/octet-stream", data: value };
    if (partType !== undefined && !mediaEssence(partType).startsWith("text/plain")) return { name, filename: "blob", contentType: partType, data: value };
    return { name, data: normaliseLineBreaks(value) };
  }
  if (typeof value === "object" && value !== null) return { name, filename: "blob", contentType: partType ?? "application/json", data: JSON.stringify(value) };
  return { name, data: scalarText(value) };
}

/** Text fields go with CRLF line breaks, as the HTML form encoding (and undici's FormData) sends them. */
function normaliseLineBreaks(text: string): string {
  return text.replace(/\r\n|\r|\n/g, "\r\n");
}

/** A name or filename in a Content-Disposition parameter, escaped as WHATWG's multipart/form-data encoding does. */
function dispositionParameter(text: string): string {
  return text.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");
}

/**
 * The multipart/form-data body of `parts` (RFC 7578): Content-Disposition, then the part's
 * Content-Type and its other headers, then its bytes. Written here rather than through
 * FormData, which has no way to give a part headers of its own.
 */
function writeMultipart(parts: Part[]): RequestBody {
  const boundary = `----WaygateFormBoundary${randomBytes(12).toString("hex")}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${dispositionParameter(part.name)}"`;
    if (part.filename !== undefined) head += `; filename="${dispositionParameter(part.filename)}"`;
    head += "\r\n";
    if (part.contentType !== undefined) head += `Content-Type: ${part.contentType}\r\n`;
    for (const [header, value] of Object.entries(part.headers ?? {})) head += `${header}: ${value}\r\n`;
    chunks.push(Buffer.from(head + "\r\n"), typeof part.data === "string" ? Buffer.from(part.data) : Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { kind: "bytes", contentType: `multipart/form-data; boundary=${boundary}`, data: new Uint8Array(Buffer.concat(chunks)) };
}
