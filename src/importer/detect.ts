import { fail } from "./problem.js";
import type { ImportFormat, ImportLocation } from "./types.js";
import { isRecord } from "./util.js";

/** True when text (or its declared type) is an HTML page rather than a JSON/YAML document. */
export function looksLikeHtml(text: string, contentType?: string): boolean {
  const head = text.slice(0, 1024).trimStart().toLowerCase();
  // Servers mislabel specs (raw file hosts send text/plain or even text/html): content wins.
  if (head.startsWith("{") || head.startsWith("[") || /^(openapi|swagger)\s*:/m.test(head)) return false;
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("html")) return true;
  if (type.includes("json") || type.includes("yaml")) return false;
  return head.startsWith("<!doctype html") || head.startsWith("<html") || head.startsWith("<head") || head.startsWith("<body") || (head.startsWith("<") && /<(html|head|body|script|div|redoc|title)[\s>]/.test(head));
}

export type DataFormat = Exclude<ImportFormat, "html">;

/**
 * Which spec a parsed document is: `openapi: 3.x` (OpenAPI 3.0/3.1 §4.8.1), `swagger: "2.0"`,
 * or a Postman collection (`info.schema` names schema.getpostman.com, or `info` + `item` list).
 */
export function detectDataFormat(value: unknown, location: ImportLocation): { format: DataFormat; version: string } {
  if (!isRecord(value)) fail("unknown_format", `expected an object at the top of the document, found ${describe(value)}`, location);
  const openapi = value["openapi"];
  if (openapi !== undefined) {
    const version = String(openapi);
    if (/^3\.[01](\.|$)/.test(version)) return { format: "openapi", version };
    if (/^3\.\d+(\.|$)/.test(version)) return { format: "openapi", version }; // later 3.x minors read as 3.1
    fail("unsupported_version", `OpenAPI version ${JSON.stringify(version)} is not supported (3.0 and 3.1 are)`, { ...location, pointer: "/openapi" });
  }
  const swagger = value["swagger"];
  if (swagger !== undefined) {
    if (String(swagger) === "2.0") return { format: "swagger", version: "2.0" };
    fail("unsupported_version", `Swagger version ${JSON.stringify(swagger)} is not supported (2.0 is)`, { ...location, pointer: "/swagger" });
  }
  const info = value["info"];
  if (isRecord(info)) {
    const schema = typeof info["schema"] === "string" ? info["schema"] : "";
    const postmanVersion = /collection\/v(\d+\.\d+\.\d+)/.exec(schema)?.[1];
    if (schema.includes("getpostman.com") || Array.isArray(value["item"])) {
      if (postmanVersion && !postmanVersion.startsWith("2.")) {
        fail("unsupported_version", `Postman collection format v${postmanVersion} is not supported (v2.0 and v2.1 are)`, { ...location, pointer: "/info/schema" });
      }
      return { format: "postman", version: postmanVersion ?? "2.1.0" };
    }
  }
  if (Array.isArray(value["requests"])) fail("unsupported_version", "Postman collection format v1 is not supported; export as v2.1", location);
  fail("unknown_format", "not an OpenAPI 3, Swagger 2.0 or Postman v2 document (no `openapi`, `swagger` or Postman `info`)", location);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
