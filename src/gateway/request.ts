import type { ActionDefinition, HttpMethod } from "../contract/integrations.js";
import { FORWARDABLE_HEADER } from "../contract/invoke.js";
import type { FieldError } from "../contract/problem.js";
import { encodeBody } from "./body.js";
import type { PropertyEncoding, RequestBody } from "./body.js";
import { invalidDefinition, invalidInput } from "./problems.js";
import { encodeComponent, pathPieces, serializeHeader, serializePath, serializeQuery } from "./serialize.js";
import { remember } from "../lib/bounded-map.js";

/** One upstream request before auth. Header names are lower-case; cookie values are encoded. */
export interface PreparedRequest {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  cookies: [string, string][];
  body: RequestBody | null;
}

/** Shared between calls (parseBaseUrl caches it): read it, never change it or its URL. */
export interface BaseUrl {
  readonly url: URL;
  readonly origin: string;
  /** Path prefix without a trailing slash ("" for the root). */
  readonly prefix: string;
}

type Json = Record<string, unknown>;

/** RFC 9110 §5.6.2 token: what a header or cookie name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Framing and routing headers: set by the HTTP client, never by input (request smuggling, Host confusion). */
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "expect", "proxy-authorization", "proxy-connection", "cookie"]);
/** RFC 6265 §4.1.1 cookie-octet; anything else is percent-encoded. */
const COOKIE_OCTETS = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

/** Parsed base URLs by their text: an integration's base URL is parsed on every call otherwise. */
const parsedBases = new Map<string, BaseUrl>();

export function parseBaseUrl(baseUrl: string): BaseUrl {
  let base = parsedBases.get(baseUrl);
  if (!base) {
    base = Object.freeze(readBaseUrl(baseUrl));
    remember(parsedBases, baseUrl, base, 1_000);
  }
  return base;
}

function readBaseUrl(baseUrl: string): BaseUrl {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw invalidDefinition(`the integration's baseUrl is not a URL`, error);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalidDefinition("the integration's baseUrl must be http or https");
  if (url.username || url.password) throw invalidDefinition("the integration's baseUrl must not carry credentials");
  return { url, origin: url.origin, prefix: url.pathname.replace(/\/+$/, "") };
}

/** True when `url` is the base URL's origin and under its path prefix: the only places a request may go. */
export function isUnderBase(url: URL, base: BaseUrl): boolean {
  if (url.origin !== base.origin || url.username || url.password) return false;
  return base.prefix === "" || url.pathname === base.prefix || url.pathname.startsWith(base.prefix + "/");
}

/**
 * Builds the request from the action and validated input. Each input property says where
 * it goes (`x-waygate-in`, default body) and under which wire name (`x-waygate-name`);
 * OpenAPI styles come from `x-waygate-style` / `x-waygate-explode`; a parameter with
 * `x-waygate-content-type` is sent as JSON text (OpenAPI `content` parameters).
 */
export function buildRequest(action: ActionDefinition, base: BaseUrl, input: Json): PreparedRequest {
  const properties = (action.inputSchema["properties"] ?? {}) as Record<string, Json>;
  const headers: Record<string, string> = {};
  const cookies: [string, string][] = [];
  const query: [string, string][] = [];
  const pathValues = new Map<string, string>();
  const bodyFields: Json = {};
  const bodyEncodings: Record<string, PropertyEncoding> = {};
  let wholeBody: { value: unknown; contentType: string; schema: Json; field: string } | null = null;
  let partHeadersGiven: unknown;

  for (const [key, schema] of Object.entries(properties)) {
    if (!Object.hasOwn(input, key) || input[key] === undefined) continue;
    const value = input[key];
    const where = typeof schema["x-waygate-in"] === "string" ? schema["x-waygate-in"] : "body";
    const name = typeof schema["x-waygate-name"] === "string" ? schema["x-waygate-name"] : key;
    const style = typeof schema["x-waygate-style"] === "string" ? schema["x-waygate-style"] : undefined;
    const explode = typeof schema["x-waygate-explode"] === "boolean" ? schema["x-waygate-explode"] : undefined;
    const asContent = where !== "body" && typeof schema["x-waygate-content-type"] === "string";
    const field = `input.${key}`;
    switch (where) {
      case "path":
        checkPathValue(value, field);
        pathValues.set(name, asContent ? encodeComponent(JSON.stringify(value)) : serializePath(name, value, style, explode));
        break;
      case "query":
        query.push(...(asContent ? [[encodeComponent(name), encodeComponent(JSON.stringify(value))] as [string, string]] : serializeQuery(name, value, style, explode)));
        break;
      case "header":
        headers[checkHeaderName(name, field)] = checkHeaderValue(asContent ? JSON.stringify(value) : serializeHeader(value, explode), field);
        break;
      case "cookie": {
        if (!TOKEN.test(name)) throw invalidDefinition(`cookie name "${name}" is not a valid token`);
        const text = asContent ? JSON.stringify(value) : serializeHeader(value, explode);
        cookies.push([name, COOKIE_OCTETS.test(text) ? text : encodeComponent(text)]);
        break;
      }
      case "part-headers":
        partHeadersGiven = value;
        break;
      default:
        if (typeof schema["x-waygate-content-type"] === "string") wholeBody = { value, contentType: schema["x-waygate-content-type"], schema, field };
        else {
          bodyFields[name] = value;
          const encoding = propertyEncoding(schema);
          if (encoding) bodyEncodings[name] = encoding;
        }
    }
  }

  const url = new URL(base.origin + base.prefix + substitutePath(action.path, pathValues));
  const search = [...base.url.searchParams].map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`);
  url.search = [...search, ...query.map(([k, v]) => `${k}=${v}`)].join("&");
  if (!isUnderBase(url, base)) throw invalidDefinition(`the action path "${action.path}" leaves the integration's baseUrl`);

  let body: RequestBody | null = null;
  const partHeaders = partHeaderDeclarations(properties);
  if (wholeBody) {
    const encodings = withPartHeaders(wrappedEncodings(wholeBody.schema), wholeBody.value, partHeaders, partHeadersGiven);
    body = encodeBody(wholeBody.contentType, wholeBody.value, wholeBody.schema, wholeBody.field, encodings);
  } else if (Object.keys(bodyFields).length > 0) {
    const contentType = typeof action.inputSchema["x-waygate-content-type"] === "string" ? action.inputSchema["x-waygate-content-type"] : "application/json";
    body = encodeBody(contentType, inInputOrder(bodyFields, input, properties), action.inputSchema, "input", withPartHeaders(bodyEncodings, bodyFields, partHeaders, partHeadersGiven));
  }
  return { method: action.method, url, headers, cookies, body };
}

/** A flattened form body property's encoding: `x-waygate-style`, `x-waygate-explode`, `x-waygate-part-content-type`. */
function propertyEncoding(schema: Json): PropertyEncoding | undefined {
  const encoding: PropertyEncoding = {};
  if (typeof schema["x-waygate-style"] === "string") encoding.style = schema["x-waygate-style"];
  if (typeof schema["x-waygate-explode"] === "boolean") encoding.explode = schema["x-waygate-explode"];
  if (typeof schema["x-waygate-part-content-type"] === "string") encoding.contentType = schema["x-waygate-part-content-type"];
  return Object.keys(encoding).length > 0 ? encoding : undefined;
}

/** The `partHeaders` input's schema (`x-waygate-in: "part-headers"`): part name → its headers' schemas, and the required ones. */
interface PartHeaderDeclarations {
  key: string;
  parts: Record<string, { headers: Record<string, Json>; required: string[] }>;
}

function partHeaderDeclarations(properties: Record<string, Json>): PartHeaderDeclarations | undefined {
  const entry = Object.entries(properties).find(([, schema]) => schema["x-waygate-in"] === "part-headers");
  if (!entry) return undefined;
  const parts: PartHeaderDeclarations["parts"] = Object.create(null) as PartHeaderDeclarations["parts"];
  for (const [part, schema] of Object.entries(asJson(entry[1]["properties"]))) {
    const headers = asJson(asJson(schema)["properties"]);
    const required = asJson(schema)["required"];
    parts[part] = { headers: headers as Record<string, Json>, required: Array.isArray(required) ? required.filter((name): name is string => typeof name === "string") : [] };
  }
  return { key: entry[0], parts };
}

function asJson(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/**
 * The encodings with each sent multipart part's headers (OpenAPI Encoding Object `headers`):
 * the caller's `partHeaders.<part>.<Header>`, else the header schema's `const`, else its
 * `default`. A required header with none of these is an input error, as a missing required
 * parameter is.
 */
function withPartHeaders(encodings: Record<string, PropertyEncoding>, sent: unknown, declared: PartHeaderDeclarations | undefined, given: unknown): Record<string, PropertyEncoding> {
  if (!declared) return encodings;
  const fields = asJson(sent);
  const out = { ...encodings };
  for (const [part, { headers, required }] of Object.entries(declared.parts)) {
    if (!Object.hasOwn(fields, part) || fields[part] === undefined) continue;
    const values = asJson(asJson(given)[part]);
    const lines: Record<string, string> = {};
    for (const [header, schema] of Object.entries(headers)) {
      const field = `input.${declared.key}.${part}.${header}`;
      const value = Object.hasOwn(values, header) && values[header] !== undefined ? values[header] : schema["const"] !== undefined ? schema["const"] : schema["default"];
      if (value === undefined) {
        if (required.includes(header)) throw invalidInput(`${field} is required when the part "${part}" is sent`, [{ field, message: "is required" }]);
        continue;
      }
      if (!TOKEN.test(header)) throw invalidDefinition(`part header name "${header}" is not a valid token`);
      if (/^content-(type|disposition)$/i.test(header)) throw invalidDefinition(`part header ${header} is written by the gateway (Content-Type from the part's contentType); remove it from the action's partHeaders`);
      lines[header] = checkHeaderValue(serializeHeader(value), field);
    }
    if (Object.keys(lines).length > 0) out[part] = { ...out[part], headers: lines };
  }
  return out;
}

/** A body kept whole under one property carries its encodings as `x-waygate-encoding` (property name → encoding). */
function wrappedEncodings(schema: Json): Record<string, PropertyEncoding> {
  const raw = schema["x-waygate-encoding"];
  const out: Record<string, PropertyEncoding> = {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return out;
  for (const [name, value] of Object.entries(raw as Json)) {
    if (typeof value !== "object" || value === null || name === "__proto__") continue;
    const entry = value as Json;
    out[name] = {
      style: typeof entry["style"] === "string" ? entry["style"] : undefined,
      explode: typeof entry["explode"] === "boolean" ? entry["explode"] : undefined,
      contentType: typeof entry["contentType"] === "string" ? entry["contentType"] : undefined,
    };
  }
  return out;
}

/**
 * Body fields (keyed by wire name) in the order the caller wrote them, as an SDK that
 * serialises its argument object would send them (stripe-node, for one).
 */
function inInputOrder(fields: Json, input: Json, properties: Record<string, Json>): Json {
  const ordered = Object.create(null) as Json; // wire names come from the document: no prototype to set
  for (const key of Object.keys(input)) {
    const schema = Object.hasOwn(properties, key) ? properties[key] : undefined;
    const name = schema && typeof schema["x-waygate-name"] === "string" ? schema["x-waygate-name"] : key;
    if (Object.hasOwn(fields, name) && !Object.hasOwn(ordered, name)) ordered[name] = fields[name];
  }
  for (const [name, value] of Object.entries(fields)) if (!Object.hasOwn(ordered, name)) ordered[name] = value;
  return ordered;
}

/**
 * Top-level input fields the action does not declare. They would be dropped silently
 * (nothing says where they go), so they are refused instead, unless the schema itself
 * admits extra properties.
 */
export function unknownInputFields(action: ActionDefinition, input: Json): string[] {
  const schema = action.inputSchema;
  const extra = schema["additionalProperties"];
  if ((extra !== undefined && extra !== false) || schema["patternProperties"] !== undefined) return [];
  const properties = (schema["properties"] ?? {}) as Json;
  return Object.keys(input).filter((key) => !Object.hasOwn(properties, key));
}

/**
 * The caller's extra upstream headers (content negotiation, conditional requests,
 * preferences, API versions: `FORWARDABLE_HEADER` in the contract), lower-cased and
 * checked. Anything else is refused by name; the gateway alone sets credentials, cookies
 * and framing.
 */
export function forwardedHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (!headers) return {};
  const forwarded: Record<string, string> = {};
  const refused: FieldError[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const field = `headers.${name}`;
    if (!TOKEN.test(name) || !FORWARDABLE_HEADER.test(lower)) refused.push({ field, message: "cannot be forwarded (allowed: Accept, Accept-Language, If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, Prefer and *-Version headers)" });
    else forwarded[lower] = checkHeaderValue(value, field);
  }
  if (refused.length > 0) throw invalidInput(`${refused.length} header(s) cannot be sent upstream: ${refused.map((entry) => entry.field.slice(8)).join(", ")}`, refused);
  return forwarded;
}

export type ProxyQueryValue = string | number | boolean | Array<string | number | boolean>;

/**
 * A raw request under the base URL (the proxy route): `path` is relative to it and may
 * not climb out with dot segments or an encoded slash; query values are encoded here; a
 * body goes as JSON. The auth plan applies afterwards as for any action.
 */
export function buildRawRequest(
  base: BaseUrl,
  method: HttpMethod,
  path: string,
  query: Readonly<Record<string, ProxyQueryValue>> | undefined,
  body: unknown,
): PreparedRequest {
  if (!path.startsWith("/") || path.startsWith("//")) throw invalidInput("path must start with a single /", [{ field: "path", message: "must start with a single /" }]);
  const [pathname = "/", search] = path.split(/\?(.*)/s);
  const segments = pathname.split("/").map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw invalidInput("path has a malformed percent-encoding", [{ field: "path", message: "malformed percent-encoding" }]);
    }
    if (decoded === "." || decoded === ".." || /[/\\]/.test(decoded)) throw invalidInput("path must not contain dot segments or encoded slashes", [{ field: "path", message: "must stay under the integration's base URL" }]);
    return segment;
  });
  const url = new URL(base.origin + base.prefix + segments.join("/"));
  const pairs = [...base.url.searchParams].map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`);
  if (search) pairs.push(search);
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) pairs.push(`${encodeComponent(name)}=${encodeComponent(String(item))}`);
  }
  url.search = pairs.join("&");
  if (!isUnderBase(url, base)) throw invalidInput("path leaves the integration's base URL", [{ field: "path", message: "must stay under the integration's base URL" }]);
  if (body !== undefined && (method === "GET" || method === "HEAD")) throw invalidInput(`a ${method} request has no body`, [{ field: "body", message: `not allowed with ${method}` }]);
  return { method, url, headers: {}, cookies: [], body: body === undefined ? null : encodeBody("application/json", body, undefined, "body") };
}

function substitutePath(template: string, values: Map<string, string>): string {
  const path = template.replace(/\{([^{}]+)\}/g, (_whole, name: string) => {
    const value = values.get(name);
    if (value === undefined) throw invalidInput(`path parameter "${name}" is required`, [{ field: `input.${name}`, message: "is required" }]);
    return value;
  });
  if (!path.startsWith("/")) throw invalidDefinition(`the action path "${template}" must start with "/"`);
  return path;
}

/**
 * A path value fills exactly one segment (RFC 3986 §3.3): slashes, backslashes and dot
 * segments (`.`/`..`, which §5.2.4 and the WHATWG URL parser remove together with the
 * segment before) would let input climb to another endpoint, so they are refused rather
 * than encoded.
 */
function checkPathValue(value: unknown, field: string): void {
  for (const piece of pathPieces(value)) {
    let problem: string | null = null;
    // Slashes are allowed and percent-encoded, so the value stays one segment (RFC 6570
    // simple expansion): GitHub's `contents/{path}` takes "src/a.ts". Dot segments are
    // refused outright, in case an upstream decodes %2F and then resolves them.
    if (piece === "") problem = "must not be empty";
    else if (piece.split(/[/\\]/).some((part) => part === "." || part === "..")) problem = "must not be or contain a dot segment";
    if (problem) throw invalidInput(`${field} ${problem}`, [{ field, message: problem }]);
  }
}

function checkHeaderName(name: string, field: string): string {
  const lower = name.toLowerCase();
  if (!TOKEN.test(name)) throw invalidDefinition(`header name "${name}" is not a valid token`);
  if (RESERVED_HEADERS.has(lower)) throw invalidInput(`${field} would set the reserved header ${lower}`, [{ field, message: "names a reserved header" }]);
  return lower;
}

/** RFC 9110 §5.5: CR, LF and NUL are never allowed in a field value (header injection). */
export function checkHeaderValue(value: string, field: string): string {
  if (/[\r\n\0]/.test(value)) throw invalidInput(`${field} contains a line break or NUL, which a header value may not`, [{ field, message: "must not contain CR, LF or NUL" }]);
  return value;
}

/** Replaces every `name=` pair in the query with `value` (encoded here); null removes them. */
export function setQueryParam(url: URL, name: string, value: string | null): void {
  const key = encodeComponent(name);
  const kept = url.search
    .slice(1)
    .split("&")
    .filter((pair) => pair !== "" && pair.split("=")[0] !== key);
  if (value !== null) kept.push(`${key}=${encodeComponent(value)}`);
  url.search = kept.join("&");
}
