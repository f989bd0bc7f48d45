import type { ActionProvenance, AuthScheme, HttpMethod } from "../contract/integrations.js";
import type { DefProvider } from "./schema-convert.js";
import type { ImportLocation } from "./types.js";

/**
 * The format-neutral shape every reader (OpenAPI 3, Swagger 2, Postman, HTML) produces.
 * Schemas in it are already JSON Schema 2020-12, with `#/$defs/<name>` references that
 * `defs` resolves; assembling actions from it is shared by all formats.
 */
export type ParamIn = "path" | "query" | "header" | "cookie";

export interface ParamModel {
  name: string;
  in: ParamIn;
  required: boolean;
  schema: unknown;
  description?: string | undefined;
  deprecated?: boolean | undefined;
  /** OpenAPI `style`/`explode` (§4.8.12.4), kept so the gateway serialises arrays and objects as documented. */
  style?: string | undefined;
  explode?: boolean | undefined;
  /** A parameter described by `content` instead of `schema` (§4.8.12.3). */
  contentType?: string | undefined;
}

/**
 * How one property of a form or multipart body is serialised: the OpenAPI Encoding Object
 * (3.1 §4.8.15), or a Swagger 2.0 formData `collectionFormat` read as its OpenAPI 3 style.
 */
export interface EncodingModel {
  /** "form" (default), "spaceDelimited", "pipeDelimited", "deepObject" (`metadata[plan]=pro`). */
  style?: string | undefined;
  explode?: boolean | undefined;
  /** Media type of a multipart part (`image/png`, `application/json`). */
  contentType?: string | undefined;
  /** Headers of a multipart part (the Encoding Object's `headers`, Content-Type excepted: that is `contentType`). */
  headers?: PartHeaderModel[] | undefined;
}

/** One multipart part header: its value is an input of the action (or the schema's `const`/`default`). */
export interface PartHeaderModel {
  name: string;
  schema: unknown;
  required: boolean;
  description?: string | undefined;
}

export interface BodyModel {
  contentType: string;
  schema: unknown;
  required: boolean;
  description?: string | undefined;
  /** Per-property serialisation of a form or multipart body, by property name. */
  encoding?: Record<string, EncodingModel> | undefined;
}

export interface ResponseModel {
  /** "200", "4XX", "default"… */
  status: string;
  description?: string | undefined;
  contentType: string | null;
  /** Null when the response has no (JSON) body schema. */
  schema: unknown;
  /** Declared response header names, lowercased. */
  headers: string[];
}

export interface OperationModel {
  method: HttpMethod;
  path: string;
  operationId?: string | undefined;
  tags: string[];
  summary?: string | undefined;
  description?: string | undefined;
  deprecated: boolean;
  params: ParamModel[];
  body: BodyModel | null;
  responses: ResponseModel[];
  location: ImportLocation;
  /** Name segments chosen by the reader (Postman folders + request name, LLM output); else derived. */
  nameHint?: string[] | undefined;
  /** Scraped from prose: where the operation came from and how sure the extraction is. */
  provenance?: ActionProvenance | undefined;
}

export interface ApiModel {
  title?: string | undefined;
  description?: string | undefined;
  /** Absolute API base URL, or null when the document has none (then `serverUrl` must be given). */
  baseUrl: string | null;
  /** Why `baseUrl` is null, said so that the user knows what to pass (`--server-url`, `--server-var`). */
  baseUrlProblem?: { message: string; location: ImportLocation } | undefined;
  authSchemes: AuthScheme[];
  /** True when the document states its auth, even as "none"; false means we do not know. */
  authDeclared: boolean;
  /** The auth was inferred and the evidence disagrees (Postman requests sending different credentials). */
  authUnverified?: boolean | undefined;
  operations: OperationModel[];
  /** Operations found but not turned into models (reported in warnings). */
  skippedOperations: number;
  defs: DefProvider;
  formatVersion?: string | undefined;
}

export const HTTP_METHODS: readonly HttpMethod[] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];

/** `application/json`, `application/problem+json`, `application/vnd.github+json`, `*\/*` (RFC 6839 §3.1 structured syntax suffix). */
export function isJsonMediaType(contentType: string): boolean {
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json") || type === "*/*" || type === "application/*" || type === "text/json";
}

/** Preference among content types of one body or response: JSON first, then declaration order. */
export function pickContentType(types: string[]): string | undefined {
  const rank = (type: string) => {
    const bare = (type.split(";")[0] ?? "").trim().toLowerCase();
    if (bare === "application/json") return 0;
    if (bare.endsWith("+json") || bare === "text/json") return 1;
    if (bare === "*/*" || bare === "application/*") return 2;
    return 3;
  };
  let best: string | undefined;
  for (const type of types) if (best === undefined || rank(type) < rank(best)) best = type;
  return best;
}
