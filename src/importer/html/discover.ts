import { isRecord } from "../util.js";
import type { Page } from "./page.js";

/** Where a spec was found on a page, for messages. */
export type Embed = "redoc" | "swagger-ui" | "scalar" | "stoplight" | "rapidoc" | "readme" | "link" | "embedded-config";

export interface SpecCandidate {
  /** As written on the page (may be relative). */
  url: string;
  via: Embed;
}

export interface InlineSpec {
  value: unknown;
  via: Embed;
}

const SPEC_MEDIA_TYPES = /application\/(vnd\.oai\.openapi|openapi|swagger|x-yaml|yaml|json)/i;
const SPEC_FILE = /\.(json|ya?ml)(\?|#|$)/i;
const SPEC_WORDS = /openapi|swagger|spec|api[-_.]?doc|definition|oas/i;
/** Keys under which doc renderers and ReadMe-style page state keep the spec URL. */
const CONFIG_URL_KEYS = new Set(["specurl", "spec_url", "oasurl", "oas_url", "openapiurl", "openapi_url", "apidescriptionurl", "definitionurl", "swaggerurl", "apidefinitionurl", "specificationurl"]);

/**
 * Spec URLs the page's renderer loads, best first: explicit renderer attributes (Redoc
 * `spec-url`, RapiDoc `spec-url`, Scalar `data-url`, Stoplight `apiDescriptionUrl`, ReadMe-style
 * `data-*-url`), renderer configuration in scripts (Swagger UI `url`/`urls`, `Redoc.init`,
 * `Scalar.createApiReference`, JSON config objects), then `<link rel=alternate>` and
 * `<a href>` links that look like specs.
 */
export function discoverSpecs(page: Page): { candidates: SpecCandidate[]; inline: InlineSpec[] } {
  const candidates: SpecCandidate[] = [];
  const inline: InlineSpec[] = [];
  const add = (url: string | undefined, via: Embed) => {
    const trimmed = url?.trim();
    if (trimmed && !trimmed.startsWith("javascript:") && !trimmed.startsWith("data:") && !candidates.some((c) => c.url === trimmed)) candidates.push({ url: trimmed, via });
  };

  for (const element of page.elements) {
    const { tag, attrs } = element;
    if (attrs.has("spec-url")) add(attrs.get("spec-url"), tag === "rapi-doc" ? "rapidoc" : "redoc");
    if (tag === "elements-api" && attrs.has("apidescriptionurl")) add(attrs.get("apidescriptionurl"), "stoplight");
    if ((tag === "script" && attrs.get("id") === "api-reference") || tag === "api-reference") {
      if (attrs.has("data-url")) add(attrs.get("data-url"), "scalar");
      const config = parseJson(attrs.get("data-configuration"));
      if (isRecord(config)) add(configUrl(config), "scalar");
      const body = parseJson(element.text);
      if (isSpec(body)) inline.push({ value: body, via: "scalar" });
    }
    for (const key of ["data-spec-url", "data-openapi-url", "data-oas-url", "data-swagger-url", "data-definition-url"]) if (attrs.has(key)) add(attrs.get(key), "readme");
  }

  for (const element of page.elements) {
    if (element.tag !== "script" || element.attrs.has("src")) continue;
    const text = element.text;
    const type = (element.attrs.get("type") ?? "").toLowerCase();
    if (type.includes("json")) {
      const value = parseJson(text);
      if (isSpec(value)) inline.push({ value, via: "embedded-config" });
      else for (const url of urlsInConfig(value)) add(url, "readme");
      continue;
    }
    for (const url of swaggerUiUrls(text)) add(url, "swagger-ui");
    for (const match of text.matchAll(/Redoc\.init\(\s*(["'`])([^"'`]+)\1/g)) add(match[2], "redoc");
    if (/Scalar\.createApiReference|@scalar\/api-reference/.test(text)) {
      for (const match of text.matchAll(/["']?\burl["']?\s*:\s*(["'`])([^"'`]+)\1/g)) add(match[2], "scalar");
    }
    for (const match of text.matchAll(/["']?(specUrl|spec_url|oasUrl|oas_url|openapiUrl|apiDescriptionUrl|definitionUrl|swaggerUrl)["']?\s*[:=]\s*(["'`])([^"'`]+)\2/g)) add(match[3], "embedded-config");
  }

  for (const element of page.elements) {
    const href = element.attrs.get("href");
    if (href === undefined) continue;
    if (element.tag === "link" && /alternate|describedby|service-desc/i.test(element.attrs.get("rel") ?? "") && (SPEC_MEDIA_TYPES.test(element.attrs.get("type") ?? "") || SPEC_FILE.test(href))) add(href, "link");
  }
  for (const element of page.elements) {
    const href = element.attrs.get("href");
    if (element.tag !== "a" || href === undefined) continue;
    const path = href.split(/[?#]/)[0] ?? "";
    if (SPEC_FILE.test(path) && (SPEC_WORDS.test(href) || SPEC_WORDS.test(element.text) || /\/openapi\//i.test(href))) add(href, "link");
  }
  return { candidates, inline };
}

/**
 * Spec URLs in a Swagger UI configuration script (`SwaggerUIBundle({ url })`, `urls: [{ url, name }]`,
 * `configUrl`); the first is the default definition. Stock Swagger UI keeps this in
 * `swagger-initializer.js` beside `index.html` (swagger-ui-dist ≥ 4.9).
 */
export function swaggerUiUrls(script: string): string[] {
  if (!/SwaggerUI(Bundle)?\s*\(/.test(script)) return [];
  const urls = [...script.matchAll(/["']?\b(?:url|configUrl)["']?\s*:\s*(["'`])([^"'`]+)\1/g)].map((match) => match[2]!);
  // `"urls.primaryName": "v2"` picks the definition shown first among `urls: [{ url, name }]`.
  const primary = /["']urls\.primaryName["']\s*:\s*(["'`])([^"'`]+)\1/.exec(script)?.[2];
  if (primary !== undefined) {
    for (const entry of script.matchAll(/\{[^{}]*\}/g)) {
      const url = /\burl["']?\s*:\s*(["'`])([^"'`]+)\1/.exec(entry[0])?.[2];
      const name = /\bname["']?\s*:\s*(["'`])([^"'`]+)\1/.exec(entry[0])?.[2];
      if (url !== undefined && name === primary) return [url, ...urls.filter((other) => other !== url)];
    }
  }
  return urls;
}

/**
 * Scripts of the page that hold a docs renderer's configuration (`swagger-initializer.js`,
 * `swagger-config.js`): fetched when the page itself names no spec.
 */
export function configScripts(page: Page): string[] {
  const sources: string[] = [];
  for (const element of page.elements) {
    const src = element.attrs.get("src");
    if (element.tag !== "script" || src === undefined) continue;
    const file = (src.split(/[?#]/)[0] ?? "").split("/").pop() ?? "";
    if (/^(swagger[-_]?(initializer|config|init)|initializer)\.js$/i.test(file) && !sources.includes(src)) sources.push(src);
  }
  return sources.slice(0, 3);
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === "" || text.length > 16 * 1024 * 1024) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isSpec(value: unknown): boolean {
  return isRecord(value) && (typeof value["openapi"] === "string" || value["swagger"] === "2.0") && isRecord(value["paths"]);
}

/** Scalar's `data-configuration`: `{ url }` or `{ spec: { url } }`. */
function configUrl(config: Record<string, unknown>): string | undefined {
  if (typeof config["url"] === "string") return config["url"];
  const spec = config["spec"];
  return isRecord(spec) && typeof spec["url"] === "string" ? spec["url"] : undefined;
}

/** Spec-URL-like values anywhere in a JSON page-state object (bounded walk). */
function urlsInConfig(value: unknown): string[] {
  const found: string[] = [];
  const stack: unknown[] = [value];
  let visited = 0;
  while (stack.length > 0 && visited++ < 100_000 && found.length < 10) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (isRecord(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (typeof child === "string" && CONFIG_URL_KEYS.has(key.toLowerCase())) found.push(child);
        else if (child !== null && typeof child === "object") stack.push(child);
      }
    }
  }
  return found;
}
