import type { AuthScheme, HttpMethod } from "../../contract/integrations.js";
import { authFromHeader } from "../auth.js";
import { inferSchema, parseTemplatedJson } from "../infer-schema.js";
import type { OperationModel, ParamIn, ParamModel, ResponseModel } from "../model.js";
import type { ImportLocation } from "../types.js";
import { compareStrings, isRecord, setKey } from "../util.js";
import type { JsonObject } from "../util.js";
import type { Block, Page } from "./page.js";

export interface Endpoint {
  method: HttpMethod;
  /** Absolute URL or a path starting with "/". */
  target: string;
  summary?: string | undefined;
  description?: string | undefined;
  params: TableParam[];
  bodyExample?: unknown;
  responseExample?: unknown;
  /** The auth its curl example sends (`-H "Authorization: Bearer …"`, `-u key:`). */
  auth?: AuthScheme | undefined;
}

interface TableParam {
  name: string;
  in?: ParamIn | "body" | undefined;
  type?: string | undefined;
  required: boolean;
  description?: string | undefined;
}

/** `METHOD /path` or `METHOD https://…`; a path may hold `<id>` placeholders (written `&lt;id&gt;` in the HTML). */
const METHOD_PATTERN = /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+((?:https?:\/\/|\/)(?:<[A-Za-z_][\w-]*>|[^\s"'<>`|])*)/g;
const NAME_COLUMNS = /^(name|parameter|parameters|param|field|key|attribute|argument|property)$/i;
const MAX_ENDPOINTS = 2000;
/** One parameter of a list: its name, a type word, "required" when it is. */
const PARAM_LINE = /^([A-Za-z_$][\w.$[\]-]*)\s+(string|integer|int32|int64|number|float|double|boolean|array|object|file)(?:\s+(required))?\s*$/i;

/**
 * Endpoints written on the page itself: `METHOD /path` in text, headings and code, curl
 * commands in code blocks, parameter tables after an endpoint, and JSON examples after it.
 */
export function findEndpoints(page: Page): Endpoint[] {
  const endpoints = new Map<string, Endpoint>();
  let current: Endpoint | undefined;
  let lastHeading: string | undefined;
  let lastHeadingUsed = false;
  let sawResponseWord = false;

  const upsert = (method: HttpMethod, rawTarget: string, fromBlock: Block): Endpoint | undefined => {
    const target = cleanTarget(rawTarget);
    if (!target) return undefined;
    const key = `${method} ${target}`;
    let endpoint = endpoints.get(key);
    if (!endpoint) {
      if (endpoints.size >= MAX_ENDPOINTS) return undefined;
      endpoint = { method, target, params: [] };
      if (lastHeading && !lastHeadingUsed) {
        endpoint.summary = lastHeading;
        lastHeadingUsed = true;
      }
      if (fromBlock.kind === "text") endpoint.description = fromBlock.text;
      endpoints.set(key, endpoint);
    }
    sawResponseWord = false;
    return endpoint;
  };

  for (const block of page.blocks) {
    if (block.kind === "heading") {
      lastHeading = block.text;
      lastHeadingUsed = false;
      if (/response|returns/i.test(block.text)) sawResponseWord = true;
      for (const match of block.text.matchAll(METHOD_PATTERN)) current = upsert(match[1] as HttpMethod, match[2]!, block) ?? current;
      continue;
    }
    if (block.kind === "text") {
      let found = false;
      for (const match of block.text.matchAll(METHOD_PATTERN)) {
        current = upsert(match[1] as HttpMethod, match[2]!, block) ?? current;
        found = true;
      }
      // ReadMe-like parameter lists: "petId integer required" under a "Path Params" heading.
      const listed = !found && current && lastHeading !== undefined && /param/i.test(lastHeading) ? PARAM_LINE.exec(block.text) : null;
      if (listed && current) {
        current.params.push({ name: listed[1]!, in: sectionLocation(lastHeading), type: listed[2], required: listed[3] !== undefined });
        continue;
      }
      if (!found && current && current.description === undefined && block.text.length < 2000) current.description = block.text;
      if (!found && /\bresponse|returns\b/i.test(block.text)) sawResponseWord = true;
      continue;
    }
    if (block.kind === "code") {
      const curl = parseCurl(block.text);
      if (curl) {
        current = upsert(curl.method, curl.url, block) ?? current;
        if (current && curl.body !== undefined) current.bodyExample ??= curl.body;
        if (current && curl.auth) current.auth ??= curl.auth;
        continue;
      }
      let found = false;
      for (const match of block.text.matchAll(METHOD_PATTERN)) {
        current = upsert(match[1] as HttpMethod, match[2]!, block) ?? current;
        found = true;
      }
      if (!found && current) {
        const parsed = parseTemplatedJson(block.text.trim());
        if (parsed.ok && parsed.value !== null && typeof parsed.value === "object") {
          if (sawResponseWord || current.method === "GET" || current.bodyExample !== undefined) current.responseExample ??= parsed.value;
          else current.bodyExample ??= parsed.value;
        }
      }
      continue;
    }
    if (current) current.params.push(...tableParams(block.rows, sectionLocation(lastHeading)));
  }
  return [...endpoints.values()];
}

function cleanTarget(raw: string): string | undefined {
  let target = raw.split("#")[0]!;
  // Trailing punctuation belongs to the sentence, closing brackets only when unbalanced.
  for (;;) {
    const last = target.slice(-1);
    const open = { ")": "(", "]": "[", "}": "{" }[last];
    if (".,;:".includes(last) && last !== "") target = target.slice(0, -1);
    else if (open !== undefined && target.split(open).length <= target.split(last).length - 1) target = target.slice(0, -1);
    else break;
  }
  if (target.length > 1000) return undefined;
  target = target.replace(/\{\{([^{}]+)\}\}/g, "{$1}");
  return target === "" ? undefined : target;
}

/** `curl [-X METHOD] URL [-d BODY]` (shell quoting, line continuations). */
export function parseCurl(text: string): { method: HttpMethod; url: string; body?: unknown; auth?: AuthScheme } | undefined {
  const command = text.replace(/\\\r?\n/g, " ");
  const start = command.search(/(^|\s|\$\s*)curl\s/);
  if (start < 0) return undefined;
  const tokens = shellTokens(command.slice(start).replace(/^\s*\$?\s*curl\s/, ""));
  let method: HttpMethod | undefined;
  let url: string | undefined;
  let body: string | undefined;
  let auth: AuthScheme | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === "-X" || token === "--request") method = (tokens[++i] ?? "").toUpperCase() as HttpMethod;
    else if (/^-X[A-Z]+$/.test(token)) method = token.slice(2) as HttpMethod;
    else if (["-d", "--data", "--data-raw", "--data-binary", "--json"].includes(token)) body = tokens[++i];
    else if (token === "-H" || token === "--header") {
      const header = tokens[++i] ?? "";
      const colon = header.indexOf(":");
      if (colon > 0) auth ??= authFromHeader(header.slice(0, colon).trim(), header.slice(colon + 1)) ?? undefined;
    } else if (token === "-u" || token === "--user") {
      // `-u sk_test_…:` (Stripe) or `-u user:password`: HTTP Basic (RFC 7617), the key as the user name.
      i++;
      auth ??= { type: "basic" };
    } else if (["-o", "--output", "-F", "--form"].includes(token)) i++;
    else if (url === undefined && /^https?:\/\//i.test(token)) url = token;
  }
  if (!url) return undefined;
  const methods: HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
  const chosen = method && methods.includes(method) ? method : body !== undefined ? "POST" : "GET";
  const parsed = body === undefined ? undefined : parseTemplatedJson(body);
  return { method: chosen, url, ...(parsed?.ok ? { body: parsed.value } : {}), ...(auth ? { auth } : {}) };
}

function shellTokens(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /'([^']*)'|"((?:\\.|[^"\\])*)"|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[3] !== undefined && /^[|;&>]/.test(match[3])) break; // end of the curl command
    tokens.push(match[1] ?? (match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3]!));
  }
  return tokens;
}

/** Where the parameters of a table under this heading go ("Query Parameters", "URL Parameters", "Request Body"…). */
function sectionLocation(heading: string | undefined): TableParam["in"] {
  if (heading === undefined) return undefined;
  if (/\b(path|url|route) param/i.test(heading)) return "path";
  if (/\bquery\b/i.test(heading)) return "query";
  if (/\bheaders?\b/i.test(heading)) return "header";
  if (/\b(body|payload|request body|form)\b/i.test(heading)) return "body";
  return undefined;
}

/** Rows of a table whose header has a name-like column ("Name", "Parameter", "Field"…); `section` says where rows without an "In" column go. */
function tableParams(rows: string[][], section: TableParam["in"]): TableParam[] {
  const header = rows[0];
  if (!header) return [];
  const nameCol = header.findIndex((cell) => NAME_COLUMNS.test(cell.trim()));
  if (nameCol < 0) return [];
  const col = (pattern: RegExp) => header.findIndex((cell) => pattern.test(cell.trim()));
  const typeCol = col(/^(type|data type|format)$/i);
  const requiredCol = col(/^(required|optional|mandatory)$/i);
  const inCol = col(/^(in|location|param type|parameter type)$/i);
  const descriptionCol = col(/^(description|details|notes?)$/i);
  const params: TableParam[] = [];
  for (const row of rows.slice(1)) {
    const name = (row[nameCol] ?? "").replace(/\s*(\(|required|optional).*$/i, "").trim();
    if (!/^[A-Za-z_$][\w.$[\]-]*$/.test(name)) continue;
    const description = descriptionCol >= 0 ? row[descriptionCol] : undefined;
    const requiredCell = requiredCol >= 0 ? (row[requiredCol] ?? "") : "";
    const whole = row.join(" ");
    const required =
      requiredCol >= 0 ? /^(yes|true|required|✓|✔|x|mandatory)$/i.test(requiredCell.trim()) : /\brequired\b/i.test(whole) && !/\boptional\b/i.test(whole);
    const where = inCol >= 0 ? (row[inCol] ?? "").trim().toLowerCase() : "";
    params.push({
      name,
      in: (["path", "query", "header", "cookie", "body"] as const).find((location) => where.startsWith(location)) ?? section,
      type: typeCol >= 0 ? row[typeCol] : undefined,
      required,
      description: description || undefined,
    });
  }
  return params;
}

const TYPES: Record<string, string> = { string: "string", str: "string", text: "string", integer: "integer", int: "integer", long: "integer", number: "number", float: "number", double: "number", decimal: "number", boolean: "boolean", bool: "boolean", array: "array", list: "array", object: "object", map: "object", dict: "object" };

function schemaForType(type: string | undefined, description: string | undefined): JsonObject {
  const word = (type ?? "").toLowerCase().match(/[a-z]+/)?.[0];
  const mapped = word === undefined ? undefined : TYPES[word];
  const schema: JsonObject = mapped ? { type: mapped } : {};
  if (description) schema["description"] = description;
  return schema;
}

/** Most common origin among absolute targets (a page with one API host is the common case). */
export function commonOrigin(endpoints: Endpoint[]): string | undefined {
  const counts = new Map<string, number>();
  for (const endpoint of endpoints) {
    try {
      if (/^https?:/i.test(endpoint.target)) {
        const origin = new URL(endpoint.target).origin;
        counts.set(origin, (counts.get(origin) ?? 0) + 1);
      }
    } catch {
      // not a URL
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))[0]?.[0];
}

/** "Base URL: https://api.example.com/v1" stated on the page. */
export function statedBaseUrl(page: Page): string | undefined {
  const match = /\b(?:base|root|api)[\s_-]*(?:url|uri|endpoint)\b[^h]{0,40}(https?:\/\/[^\s"'<>`)]+)/i.exec(page.text);
  return match?.[1]?.replace(/[.,;:]+$/, "");
}

/** Endpoints as operations relative to `base`; endpoints on other hosts are dropped (reported by the caller). */
export function toOperations(endpoints: Endpoint[], base: string | undefined, location: ImportLocation): { operations: OperationModel[]; elsewhere: number } {
  const operations: OperationModel[] = [];
  const seen = new Set<string>();
  let elsewhere = 0;
  for (const endpoint of endpoints) {
    let path = endpoint.target;
    if (/^https?:/i.test(path)) {
      if (base === undefined || !path.startsWith(base)) {
        elsewhere++;
        continue;
      }
      path = path.slice(base.length) || "/";
      if (!path.startsWith("/")) {
        if (path.startsWith("?")) path = "/" + path;
        else {
          elsewhere++;
          continue;
        }
      }
    }
    const [pathOnly, query] = [path.split("?")[0]!, path.split("?")[1]];
    const pathParams: string[] = [];
    const template = exampleIdsAsParams(pathOnly).replace(/\{([^{}]+)\}|:([A-Za-z_][A-Za-z0-9_]*)|<([A-Za-z_][A-Za-z0-9_-]*)>/g, (_m, a?: string, b?: string, c?: string) => {
      const name = (a ?? b ?? c)!;
      if (!pathParams.includes(name)) pathParams.push(name);
      return `{${name}}`;
    });
    // `/kittens/2` and `/kittens/<ID>` on one page are one operation, whatever the placeholder's name.
    const key = `${endpoint.method} ${template.replace(/\{[^}]*\}/g, "{}")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    operations.push(toOperation(endpoint, template, pathParams, query, location));
  }
  return { operations, elsewhere };
}

/** Example values docs write into paths: numbers, UUIDs, 24-hex object ids. */
const EXAMPLE_ID = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24})$/i;

/**
 * `/kittens/2` is `/kittens/{id}` written with an example: an id segment after a literal noun
 * becomes a parameter (`{id}` when last, else `{kittenId}`), so two examples do not become two
 * actions. A leading number (`/2/tweets`) is a version, not an id.
 */
export function exampleIdsAsParams(path: string): string {
  const segments = path.split("/");
  const last = segments.length - 1;
  return segments
    .map((segment, index) => {
      const previous = segments[index - 1];
      if (!EXAMPLE_ID.test(segment) || !previous || !/^[A-Za-z][\w-]*$/.test(previous)) return segment;
      if (index === last) return "{id}";
      const noun = previous.replace(/[-_](\w)/g, (_m, letter: string) => letter.toUpperCase()).replace(/(ies)$/, "y").replace(/(?<!s)s$/, "");
      return `{${noun}Id}`;
    })
    .join("/");
}

function toOperation(endpoint: Endpoint, path: string, pathParams: string[], query: string | undefined, location: ImportLocation): OperationModel {
  const params: ParamModel[] = [];
  const names = new Set<string>();
  for (const name of pathParams) {
    const fromTable = endpoint.params.find((param) => param.name === name);
    params.push({ name, in: "path", required: true, schema: schemaForType(fromTable?.type ?? "string", fromTable?.description) });
    names.add(`path:${name}`);
  }
  for (const pair of (query ?? "").split("&")) {
    const name = pair.split("=")[0];
    if (name && /^[\w.[\]-]+$/.test(name) && !names.has(`query:${name}`)) {
      params.push({ name, in: "query", required: false, schema: { type: "string" } });
      names.add(`query:${name}`);
    }
  }
  const bodyProperties: JsonObject = {};
  const bodyRequired: string[] = [];
  const sendsBody = !["GET", "DELETE", "HEAD", "OPTIONS"].includes(endpoint.method);
  for (const param of endpoint.params) {
    if (pathParams.includes(param.name)) continue;
    const where = param.in ?? (sendsBody ? "body" : "query");
    const schema = schemaForType(param.type, param.description);
    if (where === "body") {
      setKey(bodyProperties, param.name, schema);
      if (param.required) bodyRequired.push(param.name);
    } else if (!names.has(`${where}:${param.name}`)) {
      names.add(`${where}:${param.name}`);
      params.push({ name: param.name, in: where, required: param.required || where === "path", schema });
    }
  }
  let body: OperationModel["body"] = null;
  const example = isRecord(endpoint.bodyExample) ? (inferSchema(endpoint.bodyExample) as JsonObject) : undefined;
  if (Object.keys(bodyProperties).length > 0 || example) {
    const properties = { ...(isRecord(example?.["properties"]) ? example["properties"] : {}), ...bodyProperties };
    const schema: JsonObject = { type: "object", properties };
    if (bodyRequired.length) schema["required"] = bodyRequired;
    body = { contentType: "application/json", schema, required: true };
  } else if (endpoint.bodyExample !== undefined) {
    body = { contentType: "application/json", schema: inferSchema(endpoint.bodyExample), required: true };
  }
  const responses: ResponseModel[] = endpoint.responseExample === undefined ? [] : [{ status: "200", contentType: "application/json", schema: inferSchema(endpoint.responseExample), headers: [] }];
  return {
    method: endpoint.method,
    path,
    tags: [],
    summary: endpoint.summary,
    description: endpoint.description,
    deprecated: false,
    params,
    body,
    responses,
    location,
  };
}
