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
 * A readable, stable action name that depends only on the operation itself:
 * 1. a reader's hint (Postman folders + request name);
 * 2. an operationId with `/` or `.` separators, segment by segment (GitHub `repos/list-for-org` → `repos.listForOrg`);
 * 3. first tag + operationId, without the words that repeat the tag (`pets` + `listPets` →
 *    `pets.list`, `pets` + `showPetById` → `pets.showById`), or the operationId alone;
 * 4. method and path (`GET /users/{id}` → `users.get`, `GET /users` → `users.list`).
 * `withTagWords` keeps the full operationId (`pets.listPets`): preferNames() falls back to it
 * where stripping the tag words would make two operations' names collide.
 */
export function actionName(source: NameSource): string {
  return actionNames(source).name;
}

export function actionNames(source: NameSource): { name: string; withTagWords?: string } {
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
 * Among actions named by actionNames(), reverts to the full operationId wherever the
 * shorter names collide (`getPet` and `getPets` would both become `pets.get`).
 */
export function preferNames<T extends { name: string; withTagWords?: string | undefined }>(items: T[]): void {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.name, (counts.get(item.name) ?? 0) + 1);
  for (const item of items) {
    if (item.withTagWords && (counts.get(item.name) ?? 0) > 1) item.name = item.withTagWords;
  }
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
  const fallback = fromMethodAndPath(source.method, source.path).join(".");
  return isValidActionName(fallback) ? fallback : "root." + source.method.toLowerCase();
}

const VERBS: Record<HttpMethod, string> = {
  GET: "get",
  POST: "create",
  PUT: "replace",
  PATCH: "update",
  DELETE: "delete",
  HEAD: "head",
  OPTIONS: "options",
  TRACE: "trace",
};

function fromMethodAndPath(method: HttpMethod, path: string): string[] {
  const raw = path.split("?")[0]!.split("/").filter(Boolean);
  const isParam = (segment: string) => segment.includes("{") || segment.startsWith(":");
  const statics = raw.filter((segment) => !isParam(segment)).map(identifier).filter(Boolean);
  const last = raw[raw.length - 1];
  const verb = method === "GET" && (last === undefined || !isParam(last)) ? "list" : VERBS[method];
  const segments = statics.slice(-6); // very deep paths: the tail names the resource
  return [...(segments.length ? segments : ["root"]), verb].map((s) => s.slice(0, 60));
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
