import type { ResponseType } from "../contract/integrations.js";
import { isJsonMediaType, type ResponseModel } from "./model.js";
import { defsFor } from "./schema-convert.js";
import type { DefProvider } from "./schema-convert.js";
import { asObject } from "./schema-merge.js";
import { setKey } from "./util.js";
import type { JsonObject } from "./util.js";

/**
 * The success response an action returns: 200, else 201, else the lowest other 2xx, else
 * the "2XX" range (OpenAPI 3.1 §4.8.16.2 allows range keys).
 */
export function pickSuccess(responses: readonly ResponseModel[]): ResponseModel | null {
  const rank = (status: string): number => {
    if (status === "200") return 0;
    if (status === "201") return 1;
    if (/^2\d\d$/.test(status)) return 2 + Number(status);
    if (status.toUpperCase() === "2XX") return 1000;
    return Infinity;
  };
  let best: ResponseModel | null = null;
  for (const response of responses) {
    if (rank(response.status) === Infinity) continue;
    if (!best || rank(response.status) < rank(best.status)) best = response;
  }
  return best;
}

export function isSuccessStatus(status: string): boolean {
  return /^2(\d\d|XX)$/i.test(status);
}

/** A standalone schema: the converted schema with the `$defs` it needs at its root. */
export function standalone(schema: unknown, defs: DefProvider): JsonObject {
  const root = asObject(schema);
  const $defs = defsFor([root], defs);
  return $defs ? { ...root, $defs } : root;
}

export function outputSchema(responses: readonly ResponseModel[], defs: DefProvider): JsonObject | null {
  const success = pickSuccess(responses);
  return success && success.schema !== null && success.schema !== undefined ? standalone(success.schema, defs) : null;
}

/**
 * The success response's body kind when it is not JSON (absent means JSON): `empty` for
 * 204/205, which have no content (RFC 9110 §15.3.5, §15.3.6); `binary` for a schema of
 * `format: binary` or a media type that is neither JSON nor `text/*`; `text` for `text/*`.
 * A success response that declares no content stays absent: specs often leave it out.
 */
export function responseType(responses: readonly ResponseModel[]): Exclude<ResponseType, "json"> | undefined {
  const success = pickSuccess(responses);
  if (!success) return undefined;
  if (success.status === "204" || success.status === "205") return "empty";
  const schema = success.schema;
  if (typeof schema === "object" && schema !== null && (schema as { format?: unknown }).format === "binary") return "binary";
  if (success.contentType === null || isJsonMediaType(success.contentType)) return undefined;
  return /^\s*text\//i.test(success.contentType) ? "text" : "binary";
}

/** Every non-2xx response (3xx included: the gateway sees them as non-success too), keyed by status. */
export function errorSchemas(responses: readonly ResponseModel[], defs: DefProvider): JsonObject {
  const errors: JsonObject = {};
  for (const response of responses) {
    if (isSuccessStatus(response.status)) continue;
    let schema: JsonObject;
    if (response.schema !== null && response.schema !== undefined) {
      schema = standalone(response.schema, defs);
      if (response.description !== undefined && schema["description"] === undefined) schema = { ...schema, description: response.description };
    } else {
      schema = response.description !== undefined ? { description: response.description } : {};
    }
    setKey(errors, response.status, schema);
  }
  return errors;
}
