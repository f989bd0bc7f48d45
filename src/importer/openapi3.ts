import type { HttpMethod } from "../contract/integrations.js";
import { authFromOpenApi3 } from "./auth.js";
import type { Context } from "./context.js";
import { joinPointer } from "../lib/json-pointer.js";
import { HTTP_METHODS, isJsonMediaType, pickContentType } from "./model.js";
import type { ApiModel, BodyModel, EncodingModel, OperationModel, ParamIn, ParamModel, PartHeaderModel, ResponseModel } from "./model.js";
import type { DocumentSet, Target } from "./refs.js";
import { SchemaConverter } from "./schema-convert.js";
import { summaryOrFirstSentence } from "./summary.js";
import { asString, entries, isRecord } from "./util.js";
import type { JsonObject } from "./util.js";

const PARAM_LOCATIONS = new Set<ParamIn>(["path", "query", "header", "cookie"]);
/** OpenAPI 3.1 §4.8.12.1: header parameters with these names SHALL be ignored (they belong to content negotiation and auth). */
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);

/** OpenAPI 3.0.x and 3.1.x documents → ApiModel. */
export function readOpenApi3(docs: DocumentSet, ctx: Context): ApiModel {
  const root = docs.root as JsonObject;
  const version = String(root["openapi"]);
  const converter = new SchemaConverter(docs, version.startsWith("3.0") ? "oas30" : "oas31", ctx.warnings);
  const components = isRecord(root["components"]) ? root["components"] : {};
  converter.registerNamed(components["schemas"], "/components/schemas");
  const reader = new Reader(docs, ctx, converter);

  const operations: OperationModel[] = [];
  let skipped = 0;
  for (const [path, rawItem] of entries(root["paths"])) {
    const itemPointer = joinPointer("/paths", path);
    const item = docs.deref(rawItem, docs.rootId, itemPointer);
    if (!item || !isRecord(item.value)) {
      ctx.warnings.add("invalid_document", "path item is not an object; skipped", docs.location(docs.rootId, itemPointer));
      continue;
    }
    const shared = item.value["parameters"];
    for (const [key, rawOp] of Object.entries(item.value)) {
      const method = key.toUpperCase() as HttpMethod;
      if (!HTTP_METHODS.includes(method) || key !== key.toLowerCase()) continue;
      const opPointer = joinPointer(item.pointer, key);
      if (!isRecord(rawOp)) {
        ctx.warnings.add("skipped_operation", "operation is not an object; skipped", docs.location(item.docId, opPointer));
        skipped++;
        continue;
      }
      operations.push(reader.operation(method, path, rawOp, { ...item, pointer: opPointer }, shared, item.pointer));
    }
  }

  const info = isRecord(root["info"]) ? root["info"] : {};
  const schemes = authFromOpenApi3(components["securitySchemes"], ctx.warnings, (name) => docs.location(docs.rootId, joinPointer("/components/securitySchemes", name)));
  return {
    title: asString(info["title"]),
    description: asString(info["description"]),
    ...serverBaseUrl(root["servers"], docs, ctx),
    authSchemes: schemes,
    // `security: []` at the root says "no auth" explicitly (§4.8.1 security).
    authDeclared: schemes.length > 0 || (Array.isArray(root["security"]) && root["security"].length === 0),
    operations,
    skippedOperations: skipped,
    defs: converter,
    formatVersion: version,
  };
}

class Reader {
  constructor(
    private readonly docs: DocumentSet,
    private readonly ctx: Context,
    private readonly converter: SchemaConverter,
  ) {}

  operation(method: HttpMethod, path: string, op: JsonObject, at: Target, shared: unknown, itemPointer: string): OperationModel {
    const tags = Array.isArray(op["tags"]) ? op["tags"].filter((tag): tag is string => typeof tag === "string") : [];
    return {
      method,
      path,
      operationId: asString(op["operationId"]),
      tags,
      summary: summaryOrFirstSentence(asString(op["summary"]), asString(op["description"])),
      description: asString(op["description"]),
      deprecated: op["deprecated"] === true,
      params: this.parameters(shared, joinPointer(itemPointer, "parameters"), op["parameters"], joinPointer(at.pointer, "parameters"), at.docId),
      body: this.requestBody(op["requestBody"], at.docId, joinPointer(at.pointer, "requestBody")),
      responses: this.responses(op["responses"], at.docId, joinPointer(at.pointer, "responses")),
      location: this.docs.location(at.docId, at.pointer),
    };
  }

  /** Path-item parameters, overridden by operation parameters with the same name and location (§4.8.10.1). */
  private parameters(shared: unknown, sharedPointer: string, own: unknown, ownPointer: string, docId: string): ParamModel[] {
    const byKey = new Map<string, ParamModel>();
    for (const [list, pointer] of [
      [shared, sharedPointer],
      [own, ownPointer],
    ] as const) {
      if (!Array.isArray(list)) continue;
      list.forEach((raw: unknown, index) => {
        const param = this.parameter(raw, docId, joinPointer(pointer, index));
        if (param) byKey.set(`${param.in}\u0000${param.name}`, param);
      });
    }
    return [...byKey.values()];
  }

  private parameter(raw: unknown, docId: string, pointer: string): ParamModel | null {
    const target = this.docs.deref(raw, docId, pointer);
    if (!target) return null;
    const param = target.value;
    const where = this.docs.location(target.docId, target.pointer);
    if (!isRecord(param) || typeof param["name"] !== "string" || !PARAM_LOCATIONS.has(param["in"] as ParamIn)) {
      this.ctx.warnings.add("invalid_parameter", "parameter without a string name and a valid `in`; skipped", where);
      return null;
    }
    const location = param["in"] as ParamIn;
    if (location === "header" && IGNORED_HEADERS.has(param["name"].toLowerCase())) return null;
    let schema: unknown = {};
    let contentType: string | undefined;
    if (param["schema"] !== undefined) schema = this.converter.convert(param["schema"], target.docId, joinPointer(target.pointer, "schema"));
    else if (isRecord(param["content"])) {
      contentType = pickContentType(Object.keys(param["content"]));
      const media = contentType === undefined ? undefined : param["content"][contentType];
      if (isRecord(media) && media["schema"] !== undefined) schema = this.converter.convert(media["schema"], target.docId, joinPointer(target.pointer, "content", contentType!, "schema"));
    }
    return {
      name: param["name"],
      in: location,
      // §4.8.12.2: a path parameter is always required.
      required: location === "path" || param["required"] === true,
      schema,
      description: asString(param["description"]),
      deprecated: param["deprecated"] === true,
      style: asString(param["style"]),
      explode: typeof param["explode"] === "boolean" ? param["explode"] : undefined,
      contentType,
    };
  }

  private requestBody(raw: unknown, docId: string, pointer: string): BodyModel | null {
    if (raw === undefined) return null;
    const target = this.docs.deref(raw, docId, pointer);
    if (!target || !isRecord(target.value) || !isRecord(target.value["content"])) return null;
    const content = target.value["content"];
    const contentType = pickContentType(Object.keys(content));
    if (contentType === undefined) return null;
    const media = content[contentType];
    const schema = isRecord(media) && media["schema"] !== undefined ? this.converter.convert(media["schema"], target.docId, joinPointer(target.pointer, "content", contentType, "schema")) : {};
    const body: BodyModel = { contentType, schema, required: target.value["required"] === true, description: asString(target.value["description"]) };
    const encoding = isRecord(media) ? this.encoding(media["encoding"], target.docId, joinPointer(target.pointer, "content", contentType, "encoding")) : undefined;
    if (encoding) body.encoding = encoding;
    return body;
  }

  /**
   * The Encoding Object map of a form or multipart media type (§4.8.15): style, explode, the
   * part's content type and its headers per property. Entries that are not objects are
   * ignored, as are unknown fields; a part's `Content-Type` header is ignored (§4.8.15.1: it
   * is `contentType`).
   */
  private encoding(raw: unknown, docId: string, pointer: string): Record<string, EncodingModel> | undefined {
    if (!isRecord(raw)) return undefined;
    const out: Record<string, EncodingModel> = {};
    for (const [name, value] of Object.entries(raw)) {
      if (!isRecord(value) || name === "__proto__") continue;
      const encoding: EncodingModel = {};
      const style = asString(value["style"]);
      if (style !== undefined) encoding.style = style;
      if (typeof value["explode"] === "boolean") encoding.explode = value["explode"];
      const contentType = asString(value["contentType"]);
      if (contentType !== undefined) encoding.contentType = contentType;
      const headers = this.partHeaders(value["headers"], docId, joinPointer(pointer, name, "headers"));
      if (headers.length > 0) encoding.headers = headers;
      if (Object.keys(encoding).length > 0) out[name] = encoding;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private partHeaders(raw: unknown, docId: string, pointer: string): PartHeaderModel[] {
    const out: PartHeaderModel[] = [];
    for (const [name, value] of entries(raw)) {
      if (name.toLowerCase() === "content-type" || name === "__proto__") continue;
      const target = this.docs.deref(value, docId, joinPointer(pointer, name));
      if (!target || !isRecord(target.value)) continue;
      const header = target.value;
      const schema = header["schema"] === undefined ? { type: "string" } : this.converter.convert(header["schema"], target.docId, joinPointer(target.pointer, "schema"));
      out.push({ name, schema, required: header["required"] === true, description: asString(header["description"]) });
    }
    return out;
  }

  private responses(raw: unknown, docId: string, pointer: string): ResponseModel[] {
    const out: ResponseModel[] = [];
    for (const [status, value] of entries(raw)) {
      if (status.startsWith("x-")) continue;
      const target = this.docs.deref(value, docId, joinPointer(pointer, status));
      if (!target || !isRecord(target.value)) continue;
      const response = target.value;
      const content = isRecord(response["content"]) ? response["content"] : {};
      const contentType = pickContentType(Object.keys(content)) ?? null;
      const media = contentType === null ? undefined : content[contentType];
      const schema =
        contentType !== null && isJsonMediaType(contentType) && isRecord(media) && media["schema"] !== undefined
          ? this.converter.convert(media["schema"], target.docId, joinPointer(target.pointer, "content", contentType, "schema"))
          : null;
      out.push({
        status,
        description: asString(response["description"]),
        contentType,
        schema,
        headers: Object.keys(isRecord(response["headers"]) ? response["headers"] : {}).map((name) => name.toLowerCase()),
      });
    }
    return out;
  }
}


/**
 * First Server Object's URL with its variables filled (§4.8.5, §4.8.6): the caller's values
 * (`--server-var`) first, then the document's defaults. A relative URL (`/api/v3`) resolves
 * against the document's own URL when it was fetched. No servers means "/" (§4.8.1).
 */
function serverBaseUrl(servers: unknown, docs: DocumentSet, ctx: Context): Pick<ApiModel, "baseUrl" | "baseUrlProblem"> {
  const list = Array.isArray(servers) ? servers.filter(isRecord) : [];
  const server = list[0];
  let url = "/";
  const location = docs.location(docs.rootId, list.length > 0 ? "/servers/0/url" : "");
  const given = ctx.options.serverVariables;
  if (server && typeof server["url"] === "string") {
    const variables = isRecord(server["variables"]) ? server["variables"] : {};
    const missing: string[] = [];
    url = server["url"].replace(/\{([^}]+)\}/g, (_match, name: string) => {
      const variable = Object.hasOwn(variables, name) ? variables[name] : undefined;
      if (Object.hasOwn(given, name)) {
        const allowed = isRecord(variable) && Array.isArray(variable["enum"]) ? variable["enum"].filter((value): value is string => typeof value === "string") : [];
        // §4.8.6: `enum` lists the values the document expects; a self-hosted deployment may well differ, so it is only a warning.
        if (allowed.length > 0 && !allowed.includes(given[name]!)) {
          ctx.warnings.add("server_variable", `server variable ${name}=${JSON.stringify(given[name])} is not one of the document's values (${allowed.slice(0, 10).join(", ")}); used as given`, location);
        }
        return given[name]!;
      }
      const value = isRecord(variable) ? (asString(variable["default"]) ?? (Array.isArray(variable["enum"]) ? asString(variable["enum"][0]) : undefined)) : undefined;
      if (value === undefined) missing.push(name);
      return value ?? "";
    });
    if (missing.length > 0) {
      const flags = missing.map((name) => `--server-var ${name}=VALUE`).join(" ");
      return {
        baseUrl: null,
        baseUrlProblem: { message: `the server URL ${JSON.stringify(server["url"].slice(0, 200))} has variables without a default (${missing.map((name) => `{${name}}`).join(", ")}); pass ${flags}, or --server-url URL`, location },
      };
    }
  }
  for (const name of Object.keys(given)) {
    if (!server || typeof server["url"] !== "string" || !server["url"].includes(`{${name}}`)) ctx.warnings.add("server_variable", `server variable ${name} was given but the server URL has no {${name}}`, location);
  }
  if (list.length > 1) ctx.warnings.add("multiple_servers", `${list.length} servers declared; using the first (${url})`, docs.location(docs.rootId, "/servers"));
  try {
    return { baseUrl: new URL(url, docs.rootId).href };
  } catch {
    // A relative first server with nothing to resolve it against: a later absolute one (staging, production) still names the API.
    const absolute = list.findIndex((candidate) => typeof candidate["url"] === "string" && /^https?:\/\/[^{}]+$/i.test(candidate["url"]));
    if (absolute > 0) {
      const chosen = list[absolute]!["url"] as string;
      ctx.warnings.add("relative_server", `the first server ${JSON.stringify(url.slice(0, 200))} is relative and the document was not fetched from a URL; using server ${absolute} (${chosen})`, location);
      return { baseUrl: new URL(chosen).href };
    }
    const why = list.length === 0 ? "the document declares no servers" : `the server URL ${JSON.stringify(url.slice(0, 200))} is relative`;
    return { baseUrl: null, baseUrlProblem: { message: `${why} and the document was not fetched from a URL to resolve it against; pass --server-url URL`, location } };
  }
}
