import type { ActionProvenance, AuthScheme, Provenance } from "../../contract/integrations.js";
import { authByMajority, authFromHeader } from "../auth.js";
import type { Endpoint } from "../html/heuristics.js";
import { exampleIdsAsParams, statedBaseUrl, toOperations } from "../html/heuristics.js";
import type { Page } from "../html/page.js";
import type { OperationModel } from "../model.js";
import { compareStrings } from "../util.js";

/** An endpoint as one page documents it. */
export interface PageEndpoint {
  endpoint: Endpoint;
  page: string;
}

/** How sure we are of an action whose every part the page states (method, path, parameter table). */
const STATED = 0.95;
const PLACEHOLDER = /\{[^{}]+\}|:[A-Za-z_][A-Za-z0-9_]*|<[A-Za-z_][A-Za-z0-9_-]*>/g;
/** Path prefixes that belong to the base URL rather than to an operation. */
const BASE_SEGMENT = /^(v\d+(\.\d+)*|api|rest|public)$/i;

/**
 * The API's base URL from the site: stated ("Base URL: …") on most pages that state one, else
 * the origin of the examples' absolute URLs with the version-like segments (`/v1`, `/api`)
 * that all of their paths share.
 */
export function siteBaseUrl(pages: readonly { page: Page }[], found: readonly PageEndpoint[]): string | undefined {
  const stated = majority(pages.flatMap(({ page }) => statedBaseUrl(page) ?? []));
  if (stated) return stated.replace(/\/+$/, "");
  const absolute = found.flatMap(({ endpoint }) => {
    try {
      return /^https?:/i.test(endpoint.target) ? [new URL(endpoint.target)] : [];
    } catch {
      return [];
    }
  });
  const origin = majority(absolute.map((url) => url.origin));
  if (!origin) return undefined;
  const paths = absolute.filter((url) => url.origin === origin).map((url) => url.pathname.split("/").filter(Boolean));
  const prefix: string[] = [];
  for (let index = 0; ; index++) {
    const segment = paths[0]?.[index];
    if (segment === undefined || !BASE_SEGMENT.test(segment) || !paths.every((path) => path[index] === segment && path.length > index + 1)) break;
    prefix.push(segment);
  }
  return origin + (prefix.length > 0 ? `/${prefix.join("/")}` : "");
}

function majority(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))[0]?.[0];
}

/**
 * The target as a path under `base`: absolute URLs on the base lose it, relative paths lose the
 * base's path when they repeat it (`/v1/users` under `…/v1`). Undefined for another host.
 */
function relativeTarget(target: string, base: string): string | undefined {
  if (/^https?:/i.test(target)) {
    if (!target.startsWith(base)) return undefined;
    const rest = target.slice(base.length);
    return rest === "" ? "/" : rest.startsWith("/") ? rest : rest.startsWith("?") ? `/${rest}` : undefined;
  }
  const basePath = new URL(base).pathname.replace(/\/+$/, "");
  return basePath && (target === basePath || target.startsWith(`${basePath}/`)) ? target.slice(basePath.length) || "/" : target;
}

/** `GET /users/{}`: one operation whatever its placeholders are called or whether an example stands in for them. */
function operationKey(method: string, path: string): string {
  return `${method} ${exampleIdsAsParams(path.split("?")[0]!).replace(PLACEHOLDER, "{}")}`;
}

/**
 * Endpoints from every page into one list of operations: the same method and path template
 * (`/users/123`, `/users/:id`, `/users/{user_id}`) are one operation, described by the page
 * that documents it best (most parameters), its parameters the union of what every page says,
 * and its placeholders named as the docs name them rather than as an example suggests. Each
 * operation carries where it came from and what a person should check.
 */
export function mergeEndpoints(found: readonly PageEndpoint[], base: string): { operations: OperationModel[]; elsewhere: number } {
  const groups = new Map<string, (PageEndpoint & { path: string })[]>();
  let elsewhere = 0;
  for (const item of found) {
    const path = relativeTarget(item.endpoint.target, base);
    if (path === undefined) {
      elsewhere++;
      continue;
    }
    const key = operationKey(item.endpoint.method, path);
    const group = groups.get(key) ?? [];
    group.push({ ...item, path });
    groups.set(key, group);
  }
  foldExamplesIntoTemplates(groups);
  const operations: OperationModel[] = [];
  for (const group of groups.values()) {
    const primary = [...group].sort((a, b) => b.endpoint.params.length - a.endpoint.params.length || named(b.path) - named(a.path))[0]!;
    // Placeholders as the best page names them; else as any page does; else inferred from an example.
    const templated = named(primary.path) > 0 ? primary : group.filter((item) => named(item.path) > 0).sort((a, b) => named(b.path) - named(a.path))[0];
    const path = templated?.path ?? primary.path;
    const merged: Endpoint = { ...primary.endpoint, target: path, params: [] };
    const seen = new Set<string>();
    for (const item of [primary, ...group]) {
      for (const param of item.endpoint.params) {
        if (seen.has(param.name)) continue;
        seen.add(param.name);
        merged.params.push(param);
      }
      merged.summary ??= item.endpoint.summary;
      merged.description ??= item.endpoint.description;
      merged.bodyExample ??= item.endpoint.bodyExample;
      merged.responseExample ??= item.endpoint.responseExample;
      merged.auth ??= item.endpoint.auth;
    }
    const location = { source: primary.page };
    const operation = toOperations([merged], base, location).operations[0];
    if (!operation) continue;
    operation.provenance = provenance(merged, path, operation, primary.page);
    operations.push(operation);
  }
  return { operations, elsewhere };
}

/**
 * `GET /repos/octocat/hello-world` in a curl example is `GET /repos/{owner}/{repo}` written with
 * example values that do not look like ids: an endpoint without named placeholders that a
 * documented template of the same method matches joins that template's operation (the most
 * specific one: most literal segments), instead of becoming an operation of its own.
 */
function foldExamplesIntoTemplates(groups: Map<string, (PageEndpoint & { path: string })[]>): void {
  const templates = [...groups.entries()].flatMap(([key, group]) => {
    const templated = group.find((item) => named(item.path) > 0);
    if (!templated) return [];
    const segments = templated.path.split("?")[0]!.split("/");
    const pattern = new RegExp(`^${segments.map((segment) => (segment.replace(PLACEHOLDER, "") !== segment ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/")}$`);
    return [{ key, method: templated.endpoint.method, pattern, literals: segments.filter((segment) => segment.replace(PLACEHOLDER, "") === segment).length }];
  });
  for (const [key, group] of [...groups.entries()]) {
    const first = group[0]!;
    if (group.some((item) => named(item.path) > 0)) continue;
    const path = first.path.split("?")[0]!;
    const target = templates
      .filter((template) => template.key !== key && template.method === first.endpoint.method && template.pattern.test(path))
      .sort((a, b) => b.literals - a.literals)[0];
    if (!target) continue;
    groups.get(target.key)!.push(...group);
    groups.delete(key);
  }
}

/** Placeholders the docs wrote by name (not example values). */
function named(path: string): number {
  return [...path.split("?")[0]!.matchAll(PLACEHOLDER)].length;
}

function provenance(endpoint: Endpoint, path: string, operation: OperationModel, page: string): ActionProvenance {
  const doubts: string[] = [];
  let confidence = STATED;
  const excerpt = `${endpoint.summary ? `${endpoint.summary}: ` : ""}${endpoint.method} ${endpoint.target}`.slice(0, 300);
  const fields: Record<string, Provenance> = {};
  const inferred = operation.params.filter((param) => param.in === "path").length - named(path);
  if (inferred > 0) {
    confidence -= 0.3;
    doubts.push(`path parameter${inferred === 1 ? "" : "s"} inferred from an example value in ${endpoint.target}`);
  }
  const sendsBody = !["GET", "DELETE", "HEAD", "OPTIONS"].includes(endpoint.method);
  const tableBody = endpoint.params.some((param) => param.in === "body" || (param.in === undefined && sendsBody));
  if (sendsBody && !tableBody) {
    confidence -= 0.2;
    doubts.push(endpoint.bodyExample !== undefined ? "request body guessed from an example" : "no request body documented");
  }
  for (const param of operation.params) {
    const row = endpoint.params.find((candidate) => candidate.name === param.name);
    if (param.in === "path") {
      fields[param.name] = row || named(path) > 0 ? { source: page, confidence: STATED, doubts: [] } : { source: page, confidence: 0.5, doubts: ["inferred from an example value in the path"] };
    } else if (!row) fields[param.name] = { source: page, confidence: 0.7, doubts: ["seen only in an example URL"] };
    else if (row.in === undefined) fields[param.name] = { source: page, confidence: 0.7, doubts: [`its location (${param.in}) is guessed from the method`] };
    else fields[param.name] = { source: page, confidence: STATED, doubts: [] };
  }
  for (const param of endpoint.params) {
    if (fields[param.name] || operation.params.some((known) => known.name === param.name)) continue;
    fields[param.name] = param.in === "body" ? { source: page, confidence: STATED, doubts: [] } : { source: page, confidence: 0.7, doubts: ["a body field by guess: the table does not say where it goes"] };
  }
  return { source: page, excerpt, confidence: Math.max(0, Math.round(confidence * 100) / 100), doubts, fields };
}

const AUTH_PAGE = /authenticat|authoriz|api[ -]?keys?\b|access tokens?/i;
const HEADER_LINE = /\b(Authorization|X-[A-Za-z-]*(?:Key|Token)|[A-Za-z-]*Api-?Key)\s*:\s*([^\n"'`]{1,120})/gi;
const QUERY_KEY = /[?&](api_key|apikey|api-key|access_token|key)=/i;

/** What one page says about authentication: headers it shows, a key in a query string, the words "HTTP Basic". */
export function authStatedOn(page: Page): AuthScheme[] {
  const schemes: AuthScheme[] = [];
  for (const match of page.text.matchAll(HEADER_LINE)) {
    const scheme = authFromHeader(match[1]!, match[2]!);
    if (scheme) schemes.push(scheme);
  }
  const query = QUERY_KEY.exec(page.text);
  if (query && schemes.length === 0) schemes.push({ type: "apiKey", name: query[1]!, in: "query" });
  if (schemes.length === 0 && /\bHTTP Basic\b|\bbasic auth(entication)?\b/i.test(page.text)) schemes.push({ type: "basic" });
  return schemes;
}

/**
 * The site's auth: what its authentication page states wins (it is written to say exactly
 * that), else what the examples send, by majority. Always unverified unless the auth page
 * and every example agree: read from prose, it is a guess for a person to confirm.
 */
export function siteAuth(pages: readonly { url: string; page: Page }[], found: readonly PageEndpoint[]): { schemes: AuthScheme[]; unverified: boolean; source: string | undefined } {
  const examples = authByMajority(found.flatMap(({ endpoint }) => (endpoint.auth ? [{ scheme: endpoint.auth, inferred: true }] : [])));
  const authPage = pages.find(({ page }) => AUTH_PAGE.test(page.title ?? "") || page.blocks.some((block) => block.kind === "heading" && AUTH_PAGE.test(block.text)));
  const stated = authPage ? authByMajority(authStatedOn(authPage.page).map((scheme) => ({ scheme, inferred: true }))) : undefined;
  if (stated && stated.schemes.length > 0) {
    const agree = examples.schemes.length <= 1 && (examples.schemes.length === 0 || JSON.stringify(examples.schemes[0]) === JSON.stringify(stated.schemes[0]));
    return { schemes: stated.schemes.slice(0, 1), unverified: !agree || examples.schemes.length === 0, source: authPage!.url };
  }
  return { schemes: examples.schemes, unverified: true, source: undefined };
}
