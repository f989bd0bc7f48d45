import type { HttpMethod } from "../contract/integrations.js";
import type { Warnings } from "./problem.js";
import { compareStrings } from "./util.js";

/** The contract's ActionNameSchema pattern: dot-separated identifiers. */
const ACTION_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;
const MAX_NAME = 200;

/** ASCII words of a text: accents folded, split on anything that is not a letter or digit. */
function words(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

/** "HTTPStatus" → "httpStatus", "USERS" → "users", "listPets" unchanged. */
function lowerLeadingCaps(word: string): string {
  if (word === word.toUpperCase()) return word.toLowerCase();
  const caps = /^[A-Z]+/.exec(word)?.[0].length ?? 0;
  if (caps <= 1) return word.charAt(0).toLowerCase() + word.slice(1);
  return word.slice(0, caps - 1).toLowerCase() + word.slice(caps - 1);
}

/** camelCase identifier of a text ("list-for-org" → "listForOrg"); "" when nothing usable is left. */
export function identifier(text: string): string {
  const parts = words(text).map(lowerLeadingCaps);
  const id = parts.map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1))).join("");
  return /^[0-9]/.test(id) ? "_" + id : id;
}

export function isValidActionName(name: string): boolean {
  return name.length <= MAX_NAME && ACTION_NAME.test(name);
}

export interface NameSource {
  method: HttpMethod;
  path: string;
  operationId?: string | undefined;
  tags: readonly string[];
  nameHint?: readonly string[] | undefined;
}

/**
 * A readable, stable action name:
 * 1. a reader's hint (Postman folders + request name);
 * 2. an operationId with `/` or `.` separators, segment by segment (GitHub `repos/list-for-org` → `repos.listForOrg`);
 * 3. first tag + operationId, without the words that repeat the tag (`pets` + `listPets` →
 *    `pets.list`, `pets` + `showPetById` → `pets.showById`), or the operationId alone;
 * 4. resource-style from method and path, as Stainless-generated SDKs name methods, when the
 *    operationId is missing, noise (`op123`), the path spelled out (Stripe's
 *    `GetCustomersCustomerTaxIdsId`), or sits under a version-named tag (Twilio's
 *    `Api20100401Message`): see resourceName(). `fromPath` marks these: preferNames() names
 *    them again knowing every path of the document (scope prefix, collections, actions).
 * `withTagWords` keeps the full operationId (`pets.listPets`): preferNames() falls back to it
 * where stripping the tag words would make two operations' names collide.
 */
export function actionName(source: NameSource): string {
  return actionNames(source).name;
}

export function actionNames(source: NameSource): { name: string; withTagWords?: string; fromPath?: boolean } {
  if (namedByPath(source)) return { name: resourceName(source, new PathContext([source])), fromPath: true };
  const operationId = source.operationId?.trim();
  const tag = source.tags[0] === undefined ? "" : identifier(source.tags[0]);
  const full = fullActionName(source);
  if (!source.nameHint && operationId && !/[/.]/.test(operationId) && tag && full === `${tag}.${identifier(operationId)}`) {
    const stripped = withoutTagWords(identifier(operationId), tag);
    if (stripped && stripped !== identifier(operationId) && isValidActionName(`${tag}.${stripped}`)) {
      return { name: `${tag}.${stripped}`, withTagWords: full };
    }
  }
  return { name: full };
}

/**
 * Among actions named by actionNames(): names derived from the path are made again with the
 * whole document in view (see PathContext), then the tag-stripped names revert to the full
 * operationId wherever they collide (`getPet` and `getPets` would both become `pets.get`).
 * The `fromPath` marks are removed.
 */
export function preferNames<T extends { name: string; withTagWords?: string | undefined; fromPath?: boolean | undefined; method?: HttpMethod; path?: string }>(items: T[]): void {
  const routed = items.filter((item): item is T & { method: HttpMethod; path: string } => item.method !== undefined && item.path !== undefined);
  const context = new PathContext(routed);
  for (const item of routed) if (item.fromPath) item.name = resourceName(item, context);
  for (const item of items) delete item.fromPath;
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.name, (counts.get(item.name) ?? 0) + 1);
  for (const item of items) {
    if (item.withTagWords && (counts.get(item.name) ?? 0) > 1) item.name = item.withTagWords;
  }
}

/** Words of an operationId or path segment, lower-case: `GetCustomersCustomer` → get, customers, customer; `tax_ids` → tax, ids. */
function lowerWords(text: string): string[] {
  return words(text)
    .flatMap((word) => word.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/))
    .map((word) => word.toLowerCase());
}

const HTTP_METHOD_WORDS = new Set(["get", "post", "put", "patch", "delete", "head", "options"]);
/** Generated ids that name nothing: `op1`, `operation_12`, `endpoint-3`, hex hashes, UUIDs. */
const NOISE_OPERATION_ID = /^(?:[_\W]*(?:op|operation|endpoint|method|route|api|id)?[_\W]*\d+[_\W]*|[0-9a-f]{12,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** Tags that are a version or carry one (`v1`, Twilio's `Api20100401Message`): they group by release, not by resource. */
const NOISE_TAG = /^v\d+(?:\.\d+)*$|\d{6,}|\d{4}-\d{2}-\d{2}/i;

function namedByPath(source: NameSource): boolean {
  if (source.nameHint) return false;
  const operationId = source.operationId?.trim();
  if (!operationId || NOISE_OPERATION_ID.test(operationId) || !identifier(operationId)) return true;
  if (/[/.]/.test(operationId)) return false;
  if (source.tags[0] !== undefined && NOISE_TAG.test(source.tags[0])) return true;
  return isPathSpelled(operationId, source.path);
}

/**
 * True when the operationId is the HTTP method and the path spelled out: Stripe's
 * `GetCustomersCustomerTaxIdsId` for GET /v1/customers/{customer}/tax_ids/{id} (version
 * segments may be left out). Such ids carry nothing the path does not. A human-written
 * `getPets` for GET /pets reads the same, so without a parameter in the path only the
 * generator's PascalCase (`PostCustomers`) counts: `getPets`, `listPets` and `pets` stay.
 */
function isPathSpelled(operationId: string, path: string): boolean {
  const idWords = lowerWords(operationId);
  if (idWords.length < 2 || !HTTP_METHOD_WORDS.has(idWords[0]!)) return false;
  idWords.shift();
  const segments = path.split("?")[0]!.split("/").filter(Boolean);
  const hasParam = segments.some(isParamSegment);
  if (!hasParam && !/^[A-Z]/.test(operationId)) return false;
  const all = segments.flatMap((segment) => lowerWords(segment));
  const withoutVersions = segments.filter((segment) => !isVersionSegment(stripFormatSuffix(segment))).flatMap((segment) => lowerWords(segment));
  const same = (candidate: string[]) => candidate.length === idWords.length && candidate.every((word, i) => word === idWords[i]);
  return same(all) || same(withoutVersions);
}

/** `v1`, `v2beta1`, `v1.1`, `2010-04-01`, `3`: the API's version, not a resource. */
function isVersionSegment(segment: string): boolean {
  return /^v\d+(?:[a-z]+\d*)?(?:\.\d+)*$/i.test(segment) || /^\d{4}-\d{2}-\d{2}$/.test(segment) || /^\d+(?:\.\d+)*$/.test(segment);
}

/** Twilio's `Messages.json`, `{Sid}.json`: the format suffix is not part of the name. */
function stripFormatSuffix(segment: string): string {
  return segment.replace(/\.(?:json|xml|yaml|yml|csv)$/i, "");
}

const isParamSegment = (segment: string) => /^\{[^}]*\}$/.test(segment) || segment.startsWith(":");

/** The segments that name resources, parameters as `{}`: format suffixes, version segments and a leading `api`/`rest` dropped. */
function resourceSegments(path: string): string[] {
  const segments = path
    .split("?")[0]!
    .split("/")
    .filter(Boolean)
    .map(stripFormatSuffix)
    .filter((segment) => segment !== "" && !isVersionSegment(segment));
  while (segments.length > 1 && /^(?:api|rest)$/i.test(segments[0]!)) segments.shift();
  return segments.map((segment) => (isParamSegment(segment) ? "{}" : segment));
}

/**
 * What resourceName() needs to know about the other operations of the document:
 * - the scope prefix: a leading `noun/{id}` pair under which most paths sit (Twilio's
 *   `Accounts/{AccountSid}`), left out of the names below it;
 * - which paths are collections (an operation exists below `path/{id}`) and which have a GET.
 */
export class PathContext {
  private readonly routes = new Set<string>();
  private readonly paths = new Set<string>();
  readonly scope: string | null;

  constructor(operations: readonly { method: HttpMethod; path: string }[]) {
    const scopes = new Map<string, number>();
    for (const op of operations) {
      const segments = resourceSegments(op.path);
      const key = segments.join("/");
      this.paths.add(key);
      this.routes.add(`${op.method} ${key}`);
      if (segments.length > 2 && segments[1] === "{}") scopes.set(segments[0]!, (scopes.get(segments[0]!) ?? 0) + 1);
    }
    const top = [...scopes.entries()].sort(([a, x], [b, y]) => y - x || compareStrings(a, b))[0];
    // "Most" is 80 %, of at least five operations: a small API's one nested resource is not a scope.
    this.scope = top && top[1] >= 5 && top[1] >= operations.length * 0.8 ? top[0] : null;
  }

  hasChildren(segments: readonly string[]): boolean {
    const prefix = segments.join("/") + "/{}";
    for (const path of this.paths) if (path === prefix || path.startsWith(prefix + "/")) return true;
    return false;
  }

  has(method: HttpMethod, segments: readonly string[]): boolean {
    return this.routes.has(`${method} ${segments.join("/")}`);
  }
}

/** Last segments that are a query over the resource before them (`/customers/search`), by GET or POST. */
const READ_ACTIONS = new Set(["search", "query", "count", "find"]);
const COLLECTION_VERBS: Partial<Record<HttpMethod, string>> = { GET: "list", POST: "create", PUT: "update", PATCH: "update", DELETE: "delete" };

/**
 * Resource-style name from method and path: nested resources from the path's nouns, the verb
 * from the method and the shape of the path, as in Stainless-generated SDKs:
 * - `…/customers` GET → `customers.list`, POST → `customers.create`;
 * - `…/customers/{id}` GET → `customers.retrieve`, POST/PUT/PATCH → `customers.update`, DELETE → `customers.delete`;
 * - `…/invoices/{id}/pay`, `…/dispute/close` POST: a singular word after something else, with no GET
 *   and nothing below it → the action `invoices.pay`, `charges.dispute.close`;
 * - `…/customers/search` → `customers.search`;
 * - `…/customers/{id}/cash_balance`, a singular word with nothing below it → a singleton: GET
 *   `retrieve`, writes `update` (`create` when there is no GET);
 * - nested: `/customers/{customer}/tax_ids/{id}` DELETE → `customers.taxIds.delete`.
 * Version segments, `.json` suffixes, a leading `api`/`rest` and the document's scope prefix are left out.
 */
export function resourceName(source: { method: HttpMethod; path: string }, context: PathContext): string {
  const full = resourceSegments(source.path);
  const scoped = context.scope !== null && full.length > 2 && full[0] === context.scope && full[1] === "{}";
  const segments = scoped ? full.slice(2) : full;
  const statics = segments.filter((segment) => segment !== "{}");
  const last = segments.at(-1);
  const method = source.method;
  const other = method.toLowerCase();
  let verb: string;
  let nouns = statics;
  if (last === undefined || last === "{}") {
    if (method === "GET") verb = "retrieve";
    else if (method === "DELETE") verb = "delete";
    else if (method === "POST" || method === "PUT" || method === "PATCH") verb = last === undefined ? "create" : "update";
    else verb = other;
  } else {
    const plural = /[^su]s$/i.test(last) || /ies$/i.test(last);
    if (READ_ACTIONS.has(last.toLowerCase()) && (method === "GET" || method === "POST")) {
      verb = identifier(last);
      nouns = statics.slice(0, -1);
    } else if (context.hasChildren(full) || plural) {
      verb = COLLECTION_VERBS[method] ?? other;
    } else if (method === "POST" && segments.length > 1 && !context.has("GET", full)) {
      verb = identifier(last);
      nouns = statics.slice(0, -1);
    } else if (method === "GET") verb = "retrieve";
    else if (method === "DELETE") verb = "delete";
    else if (method === "POST") verb = context.has("GET", full) ? "update" : "create";
    else if (method === "PUT" || method === "PATCH") verb = "update";
    else verb = other;
  }
  const parts = [...nouns.map(identifier).filter(Boolean).slice(-6), verb].map((part) => part.slice(0, 60));
  if (parts.length === 1) parts.unshift("root");
  const name = parts.join(".");
  return isValidActionName(name) ? name : "root." + other;
}

const camelWords = (text: string) => text.split(/(?=[A-Z])|_/).filter(Boolean);

/** `listPets` minus tag `pets` → `list`; matches the tag's words in plural or singular form. */
function withoutTagWords(operationId: string, tag: string): string {
  const tagWords = camelWords(tag).map((word) => word.toLowerCase());
  const singular = [...tagWords];
  const last = singular.at(-1) ?? "";
  singular[singular.length - 1] = last.endsWith("ies") ? last.slice(0, -3) + "y" : last.endsWith("s") ? last.slice(0, -1) : last;
  const words = camelWords(operationId);
  for (const form of [tagWords, singular]) {
    for (let start = 0; start + form.length <= words.length; start++) {
      if (form.every((word, i) => words[start + i]!.toLowerCase() === word)) {
        const rest = [...words.slice(0, start), ...words.slice(start + form.length)];
        if (rest.length === 0) return "";
        const joined = rest.map((word, i) => (i === 0 ? word.charAt(0).toLowerCase() + word.slice(1) : word.charAt(0).toUpperCase() + word.slice(1))).join("");
        return /^[A-Za-z_$]/.test(joined) ? joined : "";
      }
    }
  }
  return operationId;
}

function fullActionName(source: NameSource): string {
  const candidates: string[][] = [];
  if (source.nameHint) candidates.push(source.nameHint.map(identifier));
  const operationId = source.operationId?.trim();
  if (operationId) {
    if (/[/.]/.test(operationId)) candidates.push(operationId.split(/[/.]+/).map(identifier));
    else {
      const tag = source.tags[0] === undefined ? "" : identifier(source.tags[0]);
      candidates.push(tag ? [tag, identifier(operationId)] : [identifier(operationId)]);
    }
  }
  for (const segments of candidates) {
    const name = segments.filter(Boolean).join(".");
    if (isValidActionName(name)) return name;
  }
  return resourceName(source, new PathContext([source]));
}

interface Named {
  name: string;
  method: HttpMethod;
  path: string;
}

const METHOD_ORDER: HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"];

/**
 * Makes names unique without depending on document order: within a clash, every member gets
 * its method as a suffix when the methods differ (`users.update` → `users.updatePut`,
 * `users.updatePatch`); members that still clash are numbered in path order (the first keeps
 * the name). Each clash is reported.
 */
export function resolveCollisions<T extends Named>(items: T[], warnings: Warnings): void {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.name);
    if (group) group.push(item);
    else groups.set(item.name, [item]);
  }
  const taken = new Set(groups.keys());
  const clashes = [...groups.entries()].filter(([, group]) => group.length > 1).sort(([a], [b]) => compareStrings(a, b));
  for (const [name, group] of clashes) {
    group.sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) || compareStrings(a.path, b.path));
    const methods = new Set(group.map((item) => item.method));
    const renamed: string[] = [];
    const counters = new Map<string, number>();
    for (const item of group) {
      let base = methods.size > 1 ? name + item.method.charAt(0) + item.method.slice(1).toLowerCase() : name;
      const seen = (counters.get(base) ?? 0) + 1;
      counters.set(base, seen);
      if (seen > 1) base += String(seen);
      let unique = base;
      for (let n = 2; taken.has(unique) && unique !== name; n++) unique = `${base}_${n}`;
      if (unique !== name) taken.add(unique);
      item.name = unique;
      renamed.push(`${item.method} ${item.path} → ${unique}`);
    }
    warnings.add("name_collision", `action name "${name}" was derived for ${group.length} operations; renamed: ${renamed.join("; ")}`);
  }
}

/** Slug from a title: lowercase letters, digits and dashes, at most 64 (the contract's SlugSchema). */
export function slugify(title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/['’]/g, "") // "GitHub's" → "githubs", not "github-s"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
  return slug || "api";
}
