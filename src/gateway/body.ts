import { FormData } from "undici";
import { invalidInput } from "./problems.js";
import { scalarText } from "./serialize.js";

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
 * Encodes `value` as `contentType` (OpenAPI 3.1 §4.8.14–4.8.15 Media Type and Encoding
 * objects): JSON and `+json` types; `application/x-www-form-urlencoded` (objects
 * exploded, arrays as repeated keys, nested values as JSON, the form `style` default);
 * `multipart/form-data` (one part per property, `format: binary` properties or data URLs
 * as file parts, objects as JSON); `text/*` as text; anything else as bytes from a string
 * or data URL.
 */
export function encodeBody(contentType: string, value: unknown, schema: Json | undefined, field: string): RequestBody {
  const essence = mediaEssence(contentType);
  if (isJsonMediaType(contentType)) return { kind: "bytes", contentType, data: JSON.stringify(value) };
  if (essence === "application/x-www-form-urlencoded") {
    if (typeof value === "string") return { kind: "bytes", contentType, data: value };
    return { kind: "bytes", contentType, data: formUrlEncoded(objectValue(value, field)).toString() };
  }
  if (essence === "multipart/form-data") {
    const object = objectValue(value, field);
    const properties = (schema?.["properties"] ?? {}) as Record<string, Json | undefined>;
    return { kind: "multipart", build: () => multipart(object, properties) };
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

function formUrlEncoded(object: Json): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(object)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(name, scalarText(item));
    else params.append(name, scalarText(value));
  }
  return params;
}

function multipart(object: Json, properties: Record<string, Json | undefined>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(object)) {
    if (value === undefined) continue;
    const binary = properties[name]?.["format"] === "binary";
    for (const item of Array.isArray(value) ? value : [value]) appendPart(form, name, item, binary);
  }
  return form;
}

function appendPart(form: FormData, name: string, value: unknown, binary: boolean): void {
  if (typeof value === "string") {
    const file = parseDataUrl(value);
    if (file) form.append(name, new Blob([file.bytes], { type: file.type }), name);
    else if (binary) form.append(name, new Blob([value], { type: "application/octet-stream" }), name);
    else form.append(name, value);
    return;
  }
  if (typeof value === "object" && value !== null) {
    form.append(name, new Blob([JSON.stringify(value)], { type: "application/json" }));
    return;
  }
  form.append(name, scalarText(value));
}
