import type { AuthScheme, HttpMethod } from "../contract/integrations.js";
import { authByMajority, authFromHeader, authFromPostman, dedupe } from "./auth.js";
import type { Context } from "./context.js";
import { inferSchema, parseTemplatedJson } from "./infer-schema.js";
import { joinPointer } from "../lib/json-pointer.js";
import { HTTP_METHODS, isJsonMediaType } from "./model.js";
import type { ApiModel, BodyModel, OperationModel, ParamModel, ResponseModel } from "./model.js";
import { NO_DEFS } from "./schema-convert.js";
import type { ImportLocation } from "./types.js";
import { asArray, asString, compareStrings, isRecord, setKey } from "./util.js";
import type { JsonObject } from "./util.js";

/** Headers that are not inputs: content negotiation, auth and transport (the gateway sets them). */
const SKIPPED_HEADERS = new Set(["content-type", "authorization", "content-length", "host", "connection", "user-agent"]);

interface Found {
  op: OperationModel;
  base: string | null;
  /** The auth the request's own headers show (`Authorization: Bearer {{TOKEN}}`, `X-API-Key`). */
  headerAuth: AuthScheme | null;
  /** See SplitUrl.baseVariable. */
  baseVariable?: string | undefined;
}

/**
 * Postman Collection v2.0/v2.1 (schema.getpostman.com/json/collection/v2.1.0): folders become
 * name groups, `{{var}}` and `:param` path segments become path parameters, bodies and saved
 * example responses become schemas inferred from their examples.
 */
export function readPostman(collection: JsonObject, source: string, ctx: Context, version: string): ApiModel {
  const variables = new Map<string, string>();
  for (const variable of asArray(collection["variable"])) {
    if (isRecord(variable) && typeof variable["key"] === "string") variables.set(variable["key"], variable["value"] == null ? "" : String(variable["value"]));
  }
  const info = isRecord(collection["info"]) ? collection["info"] : {};
  const declared: AuthScheme[] = [];
  const votes: { scheme: AuthScheme; inferred: boolean }[] = [];
  let authDeclared = false;
  /** An `auth` block: a scheme, "none" (`noauth`), or null (absent or `inherit`: the parent's applies). */
  const readAuth = (auth: unknown, pointer: string): AuthScheme | "none" | null => {
    if (isRecord(auth) && auth["type"] === "inherit") return null;
    const scheme = authFromPostman(auth, ctx.warnings, { source, pointer });
    if (scheme !== null) authDeclared = true;
    if (scheme !== null && scheme !== "none") declared.push(scheme);
    return scheme;
  };
  const collectionAuth = readAuth(collection["auth"], "/auth");

  const found: Found[] = [];
  let skipped = 0;
  const walk = (items: unknown, folders: string[], pointer: string, inherited: AuthScheme | "none" | null) => {
    asArray(items).forEach((item, index) => {
      const itemPointer = joinPointer(pointer, index);
      if (!isRecord(item)) return;
      const name = asString(item["name"]) ?? "";
      if (Array.isArray(item["item"])) {
        const folderAuth = item["auth"] !== undefined ? readAuth(item["auth"], joinPointer(itemPointer, "auth")) : null;
        walk(item["item"], name ? [...folders, name] : folders, joinPointer(itemPointer, "item"), folderAuth ?? inherited);
        return;
      }
      if (item["request"] === undefined) return;
      const request = readRequest(item, name, folders, variables, ctx, { source, pointer: itemPointer });
      if (request) found.push(request);
      else skipped++;
      // Postman's order: the request's own auth block, else its parent's. A request that sends its
      // credential as a header (`Authorization: Bearer {{TOKEN}}`) says how it authenticates too.
      const own = isRecord(item["request"]) && item["request"]["auth"] !== undefined ? readAuth(item["request"]["auth"], joinPointer(itemPointer, "request", "auth")) : null;
      if (own !== null && own !== "none") votes.push({ scheme: own, inferred: false });
      else if (request?.headerAuth) votes.push({ scheme: request.headerAuth, inferred: true });
      else if (own === null && inherited !== null && inherited !== "none") votes.push({ scheme: inherited, inferred: false });
    });
  };
  walk(collection["item"], [], "/item", collectionAuth);
  if (votes.some((vote) => vote.inferred)) authDeclared = true;
  const majority = authByMajority(votes);
  // Schemes declared in auth blocks but used by no request still describe the API: kept after the used ones.
  const schemes = dedupe([...majority.schemes, ...declared], ctx.warnings);

  // The API base is the most common one; requests elsewhere cannot be expressed as paths on it.
  const counts = new Map<string, number>();
  for (const { base } of found) if (base !== null) counts.set(base, (counts.get(base) ?? 0) + 1);
  const base = [...counts.entries()].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))[0]?.[0] ?? null;
  const operations: OperationModel[] = [];
  for (const entry of found) {
    if (entry.base !== null && base !== null && entry.base !== base) {
      ctx.warnings.add("skipped_operation", `request goes to ${entry.base}, not the collection's base ${base}; skipped`, entry.op.location);
      skipped++;
      continue;
    }
    operations.push(entry.op);
  }
  const description = describe(info["description"]);
  const unresolved = base === null ? found.find((entry) => entry.baseVariable !== undefined) : undefined;
  return {
    title: asString(info["name"]),
    description,
    baseUrl: base,
    ...(unresolved
      ? {
          baseUrlProblem: {
            message: `requests start with {{${unresolved.baseVariable}}}, which the collection does not define as an absolute URL (it usually lives in a Postman environment); pass --server-url URL`,
            location: unresolved.op.location,
          },
        }
      : {}),
    authSchemes: schemes,
    authDeclared,
    authUnverified: majority.unverified,
    operations,
    skippedOperations: skipped,
    defs: NO_DEFS,
    formatVersion: version,
  };
}

function readRequest(item: JsonObject, name: string, folders: string[], variables: Map<string, string>, ctx: Context, location: ImportLocation): Found | null {
  const raw = item["request"];
  const request: JsonObject = typeof raw === "string" ? { url: raw } : isRecord(raw) ? raw : {};
  const method = (asString(request["method"]) ?? "GET").toUpperCase() as HttpMethod;
  if (!HTTP_METHODS.includes(method)) {
    ctx.warnings.add("skipped_operation", `method ${JSON.stringify(request["method"])} is not an HTTP method we support; skipped`, location);
    return null;
  }
  const url = splitUrl(request["url"], variables);
  if (!url) {
    ctx.warnings.add("skipped_operation", "request has no usable URL; skipped", location);
    return null;
  }

  const params: ParamModel[] = [];
  const pathVariables = new Map<string, JsonObject>();
  for (const variable of asArray(isRecord(request["url"]) ? request["url"]["variable"] : undefined)) {
    if (isRecord(variable) && typeof variable["key"] === "string") pathVariables.set(variable["key"], variable);
  }
  for (const param of url.pathParams) {
    const declared = pathVariables.get(param);
    const schema: JsonObject = { type: "string" };
    const example = declared ? asString(declared["value"]) : undefined;
    if (example && !example.includes("{{")) schema["examples"] = [example];
    params.push({ name: param, in: "path", required: true, schema, description: declared ? describe(declared["description"]) : undefined });
  }
  for (const query of url.query) {
    const schema: JsonObject = { type: "string" };
    if (query.value && !query.value.includes("{{")) schema["examples"] = [query.value];
    params.push({ name: query.key, in: "query", required: false, schema, description: query.description });
  }
  let contentType: string | undefined;
  let headerAuth: AuthScheme | null = null;
  for (const header of asArray(request["header"])) {
    if (!isRecord(header) || typeof header["key"] !== "string" || header["key"] === "" || header["disabled"] === true) continue;
    const key = header["key"];
    const value = asString(header["value"]) ?? "";
    if (key.toLowerCase() === "content-type") contentType = value;
    // The credential is the connection's business, injected by the gateway: never an input.
    const auth = authFromHeader(key, value);
    if (auth) {
      headerAuth ??= auth;
      continue;
    }
    if (SKIPPED_HEADERS.has(key.toLowerCase())) continue;
    const schema: JsonObject = { type: "string" };
    if (value && !value.includes("{{")) schema["default"] = value;
    params.push({ name: key, in: "header", required: false, schema, description: describe(header["description"]) });
  }

  return {
    base: url.base,
    baseVariable: url.baseVariable,
    headerAuth,
    op: {
      method,
      path: url.path,
      tags: folders.slice(0, 1),
      summary: name || undefined,
      description: describe(request["description"]),
      deprecated: false,
      params: dedupeParams(params),
      body: readBody(request["body"], contentType),
      responses: readResponses(item["response"]),
      location,
      nameHint: [...folders, name || `${method} ${url.path}`],
    },
  };
}

/** A request may list the same query key twice (arrays): one parameter per name and location. */
function dedupeParams(params: ParamModel[]): ParamModel[] {
  const seen = new Set<string>();
  return params.filter((param) => {
    const key = `${param.in}\u0000${param.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface SplitUrl {
  base: string | null;
  /** The leading `{{variable}}` that should have been the base but has no absolute URL value here. */
  baseVariable?: string | undefined;
  path: string;
  pathParams: string[];
  query: { key: string; value: string; description?: string | undefined }[];
}

/**
 * Splits a Postman URL into API base and path template. A leading `{{variable}}` whose value
 * is an absolute URL is the base (its path included); otherwise the base is the URL's origin.
 * `:name`, `{{name}}`, `{name}` and `<name>` in the path become `{name}` parameters.
 */
function splitUrl(url: unknown, variables: Map<string, string>): SplitUrl | null {
  let raw: string | undefined;
  let query: SplitUrl["query"] = [];
  if (typeof url === "string") raw = url;
  else if (isRecord(url)) {
    raw = asString(url["raw"]);
    if (raw === undefined) {
      const host = Array.isArray(url["host"]) ? url["host"].map(String).join(".") : (asString(url["host"]) ?? "");
      const path = Array.isArray(url["path"]) ? url["path"].map((segment) => (isRecord(segment) ? String(segment["value"] ?? "") : String(segment))).join("/") : (asString(url["path"]) ?? "");
      const protocol = asString(url["protocol"]);
      raw = `${protocol ? protocol + "://" : ""}${host}${path ? "/" + path : ""}`;
    }
    if (Array.isArray(url["query"])) {
      query = url["query"].filter(isRecord).flatMap((q) => (typeof q["key"] === "string" && q["key"] !== "" ? [{ key: q["key"], value: q["value"] == null ? "" : String(q["value"]), description: describe(q["description"]) }] : []));
    }
  }
  if (raw === undefined || raw.trim() === "") return null;
  raw = raw.trim();
  const [beforeQuery, queryString] = splitOnce(raw.split("#")[0]!, "?");
  if (!isRecord(url) && queryString) {
    for (const pair of queryString.split("&")) {
      const [key, value] = splitOnce(pair, "=");
      if (key) query.push({ key: safeDecode(key), value: safeDecode(value ?? "") });
    }
  }

  let base: string | null = null;
  let rest: string;
  const leading = /^\{\{([^{}]+)\}\}/.exec(beforeQuery);
  const leadingValue = leading ? variables.get(leading[1]!) : undefined;
  if (leading && leadingValue !== undefined && /^https?:\/\//i.test(leadingValue)) {
    base = normaliseBase(leadingValue);
    rest = beforeQuery.slice(leading[0].length);
  } else {
    const substituted = beforeQuery.replace(/^([^/]*\/\/)?[^/]*/, (origin) => origin.replace(/\{\{([^{}]+)\}\}/g, (m, name: string) => variables.get(name) ?? m));
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(substituted) ? substituted : `https://${substituted}`;
    const origin = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)(.*)$/i.exec(withScheme);
    if (origin && !origin[1]!.includes("{{")) {
      try {
        const parsed = new URL(origin[1]!);
        base = parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
      } catch {
        base = null;
      }
    }
      rest = origin ? origin[2]! : "";
  }
  // `{{baseUrl}}/…` with the variable defined only in a Postman environment, not in the collection.
  const baseVariable = base === null && leading && !(leadingValue !== undefined && /^https?:\/\//i.test(leadingValue)) ? leading[1]! : undefined;

  const pathParams: string[] = [];
  const segments = rest.split("/").filter(Boolean).map((segment) => {
    const param = (name: string) => {
      if (!pathParams.includes(name)) pathParams.push(name);
      return `{${name}}`;
    };
    // `:id` is Postman's own path variable (a whole segment: `things:batchGet` is a literal).
    const colon = /^:([A-Za-z0-9_.-]+)$/.exec(segment);
    if (colon) return param(colon[1]!);
    // `{{id}}`, `{id}` and `<id>`, the ways people write a placeholder, anywhere in a segment (`{id}.json`).
    return segment.replace(/\{\{([^{}]+)\}\}|\{([A-Za-z_][A-Za-z0-9_.-]*)\}|<([A-Za-z_][A-Za-z0-9_.-]*)>|%3C([A-Za-z_][A-Za-z0-9_.-]*)%3E/gi, (_m, a?: string, b?: string, c?: string, d?: string) =>
      param((a ?? b ?? c ?? d)!.trim()),
    );
  });
  return { base, path: "/" + segments.join("/"), pathParams, query, ...(baseVariable === undefined ? {} : { baseVariable }) };
}

function normaliseBase(value: string): string | null {
  try {
    const url = new URL(value);
    url.search = "";
    url.hash = "";
    return url.href.replace(/\/+$/, "");
  } catch {
    return null;
  }
}

function readBody(body: unknown, headerType: string | undefined): BodyModel | null {
  if (!isRecord(body)) return null;
  const mode = asString(body["mode"]);
  if (mode === "raw") {
    const text = asString(body["raw"]) ?? "";
    const options = isRecord(body["options"]) && isRecord(body["options"]["raw"]) ? body["options"]["raw"] : {};
    const language = asString(options["language"]);
    const contentType = headerType ?? (language === "json" ? "application/json" : language === "xml" ? "application/xml" : "text/plain");
    if (text.trim() === "") return null;
    if (isJsonMediaType(contentType) || language === "json") {
      const parsed = parseTemplatedJson(text);
      if (parsed.ok) return { contentType: isJsonMediaType(contentType) ? contentType : "application/json", schema: inferSchema(parsed.value), required: true };
    }
    return { contentType, schema: { type: "string" }, required: true };
  }
  if (mode === "urlencoded" || mode === "formdata") {
    const properties: JsonObject = {};
    for (const field of asArray(body[mode])) {
      if (!isRecord(field) || typeof field["key"] !== "string" || field["key"] === "") continue;
      const property: JsonObject = field["type"] === "file" ? { type: "string", format: "binary" } : { type: "string" };
      const description = describe(field["description"]);
      if (description) property["description"] = description;
      setKey(properties, field["key"], property);
    }
    const contentType = mode === "urlencoded" ? "application/x-www-form-urlencoded" : "multipart/form-data";
    return { contentType, schema: { type: "object", properties }, required: true };
  }
  if (mode === "graphql") {
    return {
      contentType: "application/json",
      schema: { type: "object", properties: { query: { type: "string" }, variables: { type: "object" } }, required: ["query"] },
      required: true,
    };
  }
  if (mode === "file") return { contentType: headerType ?? "application/octet-stream", schema: { type: "string", format: "binary" }, required: true };
  return null;
}

/** Saved example responses: status code, JSON body (→ inferred schema) and header names. */
function readResponses(responses: unknown): ResponseModel[] {
  const byStatus = new Map<string, ResponseModel>();
  for (const response of asArray(responses)) {
    if (!isRecord(response)) continue;
    const code = response["code"];
    if (typeof code !== "number" || !Number.isInteger(code) || code < 100 || code > 599) continue;
    const status = String(code);
    if (byStatus.has(status)) continue;
    const headers = asArray(response["header"]).flatMap((h) => (isRecord(h) && typeof h["key"] === "string" ? [h["key"]] : []));
    const contentType = headers.length ? (asArray(response["header"]).find((h) => isRecord(h) && String(h["key"]).toLowerCase() === "content-type") as JsonObject | undefined) : undefined;
    const type = contentType ? String(contentType["value"] ?? "") : "";
    const text = asString(response["body"]);
    let schema: unknown = null;
    if (text && (type === "" || isJsonMediaType(type) || asString(response["_postman_previewlanguage"]) === "json")) {
      const parsed = parseTemplatedJson(text);
      if (parsed.ok) schema = inferSchema(parsed.value);
    }
    byStatus.set(status, {
      status,
      description: asString(response["name"]) ?? asString(response["status"]),
      contentType: schema === null ? null : type || "application/json",
      schema,
      headers: headers.map((h) => h.toLowerCase()),
    });
  }
  return [...byStatus.values()];
}

/** Postman descriptions are strings or `{ content, type }`. */
function describe(value: unknown): string | undefined {
  if (typeof value === "string") return value || undefined;
  if (isRecord(value) && typeof value["content"] === "string") return value["content"] || undefined;
  return undefined;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
