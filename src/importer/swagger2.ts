import type { HttpMethod } from "../contract/integrations.js";
import { authFromSwagger2 } from "./auth.js";
import type { Context } from "./context.js";
import { joinPointer } from "../lib/json-pointer.js";
import { HTTP_METHODS, isJsonMediaType, pickContentType } from "./model.js";
import type { ApiModel, BodyModel, OperationModel, ParamIn, ParamModel, ResponseModel } from "./model.js";
import type { DocumentSet } from "./refs.js";
import { SchemaConverter } from "./schema-convert.js";
import { asString, entries, isRecord, setKey } from "./util.js";
import type { JsonObject } from "./util.js";

/** Keywords a non-body Swagger parameter shares with the Schema Object (Swagger 2.0 §Parameter Object). */
const PARAM_SCHEMA_KEYS = [
  "type",
  "format",
  "items",
  "enum",
  "default",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "multipleOf",
  "x-nullable",
];

/**
 * `collectionFormat` (Swagger 2.0 §Parameter Object) as OpenAPI 3 style/explode
 * (the mapping swagger2openapi and the OpenAPI 3.0 §4.7.12.4 style table use). `tsv` has no
 * OpenAPI 3 equivalent and keeps its name.
 */
const COLLECTION_FORMATS: Record<string, { style: string; explode: boolean }> = {
  csv: { style: "form", explode: false },
  ssv: { style: "spaceDelimited", explode: false },
  pipes: { style: "pipeDelimited", explode: false },
  multi: { style: "form", explode: true },
  tsv: { style: "tabDelimited", explode: false },
};

/** Swagger 2.0 documents → ApiModel, converted the way OpenAPI 3 would describe them. */
export function readSwagger2(docs: DocumentSet, ctx: Context): ApiModel {
  const root = docs.root as JsonObject;
  const converter = new SchemaConverter(docs, "swagger2", ctx.warnings);
  converter.registerNamed(root["definitions"], "/definitions");
  const globalConsumes = mediaList(root["consumes"]);
  const globalProduces = mediaList(root["produces"]);

  const convertParam = (param: JsonObject, docId: string, pointer: string): unknown => {
    const schema: JsonObject = {};
    for (const key of PARAM_SCHEMA_KEYS) if (param[key] !== undefined) schema[key] = param[key];
    return converter.convert(schema, docId, pointer);
  };

  const operations: OperationModel[] = [];
  let skipped = 0;
  for (const [path, rawItem] of entries(root["paths"])) {
    const item = docs.deref(rawItem, docs.rootId, joinPointer("/paths", path));
    if (!item || !isRecord(item.value)) continue;
    for (const [key, rawOp] of Object.entries(item.value)) {
      const method = key.toUpperCase() as HttpMethod;
      if (!HTTP_METHODS.includes(method) || key !== key.toLowerCase() || method === "TRACE") continue;
      const opPointer = joinPointer(item.pointer, key);
      const location = docs.location(item.docId, opPointer);
      if (!isRecord(rawOp)) {
        ctx.warnings.add("skipped_operation", "operation is not an object; skipped", location);
        skipped++;
        continue;
      }
      const consumes = rawOp["consumes"] !== undefined ? mediaList(rawOp["consumes"]) : globalConsumes;
      const produces = rawOp["produces"] !== undefined ? mediaList(rawOp["produces"]) : globalProduces;

      // Path-level parameters, overridden by operation parameters with the same name and location.
      const rawParams = new Map<string, { param: JsonObject; docId: string; pointer: string }>();
      for (const [list, pointer] of [
        [item.value["parameters"], joinPointer(item.pointer, "parameters")],
        [rawOp["parameters"], joinPointer(opPointer, "parameters")],
      ] as const) {
        if (!Array.isArray(list)) continue;
        list.forEach((raw: unknown, index) => {
          const target = docs.deref(raw, item.docId, joinPointer(pointer, index));
          if (!target || !isRecord(target.value) || typeof target.value["name"] !== "string" || typeof target.value["in"] !== "string") {
            if (target) ctx.warnings.add("invalid_parameter", "parameter without a string name and `in`; skipped", docs.location(item.docId, joinPointer(pointer, index)));
            return;
          }
          rawParams.set(`${target.value["in"]}\u0000${target.value["name"]}`, { param: target.value, docId: target.docId, pointer: target.pointer });
        });
      }

      const params: ParamModel[] = [];
      let body: BodyModel | null = null;
      const formProperties: JsonObject = {};
      const formRequired: string[] = [];
      let hasFile = false;
      for (const { param, docId, pointer } of rawParams.values()) {
        const name = param["name"] as string;
        const where = param["in"] as string;
        if (where === "body") {
          // One body parameter per operation (§Parameter Object); its media type comes from `consumes`.
          const contentType = pickContentType(consumes) ?? "application/json";
          body = {
            contentType,
            schema: param["schema"] === undefined ? {} : converter.convert(param["schema"], docId, joinPointer(pointer, "schema")),
            required: param["required"] === true,
            description: asString(param["description"]),
          };
        } else if (where === "formData") {
          const schema = convertParam(param, docId, pointer);
          if (param["type"] === "file") hasFile = true;
          const property = isRecord(schema) ? { ...schema } : {};
          if (typeof param["description"] === "string" && property["description"] === undefined) property["description"] = param["description"];
          setKey(formProperties, name, property);
          if (param["required"] === true) formRequired.push(name);
        } else if (where === "path" || where === "query" || where === "header") {
          if (where === "header" && ["accept", "content-type", "authorization"].includes(name.toLowerCase())) continue;
          const format = param["type"] === "array" ? COLLECTION_FORMATS[asString(param["collectionFormat"]) ?? "csv"] : undefined;
          params.push({
            name,
            in: where as ParamIn,
            required: where === "path" || param["required"] === true,
            schema: convertParam(param, docId, pointer),
            description: asString(param["description"]),
            // csv is the default and the same as OpenAPI 3's default for path/header (simple); say it only for query.
            style: format && !(where !== "query" && format.style === "form" && !format.explode) ? format.style : undefined,
            explode: format && where === "query" ? format.explode : undefined,
          });
        } else {
          ctx.warnings.add("invalid_parameter", `parameter "${name}" has unknown location ${JSON.stringify(where)}; skipped`, docs.location(docId, pointer));
        }
      }
      if (Object.keys(formProperties).length > 0) {
        // formData means urlencoded or multipart (§Parameter Object "in"); a file forces multipart.
        const contentType = hasFile || consumes.includes("multipart/form-data") ? "multipart/form-data" : "application/x-www-form-urlencoded";
        const schema: JsonObject = { type: "object", properties: formProperties };
        if (formRequired.length > 0) schema["required"] = formRequired;
        body = { contentType, schema, required: formRequired.length > 0 };
      }

      const responses: ResponseModel[] = [];
      for (const [status, raw] of entries(rawOp["responses"])) {
        if (status.startsWith("x-")) continue;
        const target = docs.deref(raw, item.docId, joinPointer(opPointer, "responses", status));
        if (!target || !isRecord(target.value)) continue;
        const response = target.value;
        const contentType = pickContentType(produces) ?? "application/json";
        const hasSchema = response["schema"] !== undefined && (produces.length === 0 || produces.some(isJsonMediaType));
        responses.push({
          status,
          description: asString(response["description"]),
          contentType,
          schema: hasSchema ? converter.convert(response["schema"], target.docId, joinPointer(target.pointer, "schema")) : null,
          headers: Object.keys(isRecord(response["headers"]) ? response["headers"] : {}).map((name) => name.toLowerCase()),
        });
      }

      operations.push({
        method,
        path,
        operationId: asString(rawOp["operationId"]),
        tags: Array.isArray(rawOp["tags"]) ? rawOp["tags"].filter((tag): tag is string => typeof tag === "string") : [],
        summary: asString(rawOp["summary"]),
        description: asString(rawOp["description"]),
        deprecated: rawOp["deprecated"] === true,
        params,
        body,
        responses,
        location,
      });
    }
  }

  const info = isRecord(root["info"]) ? root["info"] : {};
  const schemes = authFromSwagger2(root["securityDefinitions"], ctx.warnings, (name) => docs.location(docs.rootId, joinPointer("/securityDefinitions", name)));
  return {
    title: asString(info["title"]),
    description: asString(info["description"]),
    ...swaggerBaseUrl(root, docs),
    authSchemes: schemes,
    authDeclared: schemes.length > 0 || (Array.isArray(root["security"]) && root["security"].length === 0),
    operations,
    skippedOperations: skipped,
    defs: converter,
    formatVersion: "2.0",
  };
}

function mediaList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/**
 * scheme://host/basePath (Swagger 2.0 §Swagger Object): missing host or scheme come from the
 * URL the document was served from; https is preferred when several schemes are listed.
 */
function swaggerBaseUrl(root: JsonObject, docs: DocumentSet): Pick<ApiModel, "baseUrl" | "baseUrlProblem"> {
  let documentUrl: URL | null;
  try {
    documentUrl = new URL(docs.rootId);
    if (documentUrl.protocol !== "http:" && documentUrl.protocol !== "https:") documentUrl = null;
  } catch {
    documentUrl = null;
  }
  const schemes = mediaList(root["schemes"]).map((scheme) => scheme.toLowerCase());
  const scheme = schemes.includes("https") ? "https" : (schemes[0] ?? documentUrl?.protocol.replace(":", "") ?? "https");
  const host = asString(root["host"]) ?? documentUrl?.host;
  const location = docs.location(docs.rootId, root["host"] === undefined ? "" : "/host");
  if (!host) return { baseUrl: null, baseUrlProblem: { message: "the document has no `host` and was not fetched from a URL whose host could stand in; pass --server-url URL", location } };
  let basePath = asString(root["basePath"]) ?? "/";
  if (!basePath.startsWith("/")) basePath = "/" + basePath;
  try {
    return { baseUrl: new URL(`${scheme}://${host}${basePath}`).href };
  } catch {
    return { baseUrl: null, baseUrlProblem: { message: `${scheme}://${host}${basePath} is not a valid URL; pass --server-url URL`, location } };
  }
}
