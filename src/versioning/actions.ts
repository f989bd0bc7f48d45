import type { VersionChange } from "../contract/versioning.js";
import { change } from "./change.js";
import { isRecord, jsonKey, sameJson, showList, showValue } from "./json.js";
import { diffSchemas, type SchemaDiffOptions } from "./schema-diff.js";
import { rules } from "./severity.js";

/**
 * What the diff reads of an action. Loose on purpose: stored versions, manifests and
 * fresh scrapes (`ActionDefinition`, its zod input, `ManifestIntegration` actions) all fit,
 * and fields may be missing or malformed without the diff throwing.
 */
export interface DiffableAction {
  name: string;
  method: string;
  path: string;
  summary?: string | null | undefined;
  description?: string | null | undefined;
  deprecated?: boolean | undefined;
  tags?: readonly string[] | undefined;
  inputSchema?: unknown;
  outputSchema?: unknown;
  pagination?: unknown;
}

export type SchemaLimits = Pick<SchemaDiffOptions, "maxDepth" | "maxNodes" | "maxWork">;

/** ActionDefinitionSchema's default: an action without an input schema takes an empty object. */
const DEFAULT_INPUT = { type: "object", properties: {} };

export function diffAction(from: DiffableAction, to: DiffableAction, limits: SchemaLimits = {}): VersionChange[] {
  const out: VersionChange[] = [];
  const method = { before: String(from.method).toUpperCase(), after: String(to.method).toUpperCase() };
  if (method.before !== method.after) {
    out.push(change("method-changed", rules.methodChanged, "/method", `method changed from ${showValue(method.before)} to ${showValue(method.after)}`, method));
  }
  if (from.path !== to.path) {
    const sameTemplate = pathTemplate(from.path) === pathTemplate(to.path);
    const note = sameTemplate ? " (only placeholder names)" : "";
    out.push(change("path-changed", rules.pathChanged(sameTemplate), "/path", `path changed from ${showValue(from.path)} to ${showValue(to.path)}${note}`, { before: from.path, after: to.path }));
  }
  if ((from.deprecated === true) !== (to.deprecated === true)) {
    const deprecated = to.deprecated === true;
    out.push(change(deprecated ? "deprecated" : "undeprecated", rules.deprecation, "/deprecated", deprecated ? "was deprecated" : "is no longer deprecated"));
  }
  if ((from.summary ?? "") !== (to.summary ?? "")) {
    out.push(change("summary-changed", rules.documentation, "/summary", "summary changed", { before: from.summary ?? undefined, after: to.summary ?? undefined }));
  }
  // Descriptions can be 100k characters; the diff says that one changed, not how.
  if ((from.description ?? "") !== (to.description ?? "")) {
    out.push(change("description-changed", rules.documentation, "/description", "description changed"));
  }
  const tags = { before: tagSet(from.tags), after: tagSet(to.tags) };
  if (jsonKey(tags.before) !== jsonKey(tags.after)) {
    out.push(change("tags-changed", rules.documentation, "/tags", `tags changed from ${showList(tags.before)} to ${showList(tags.after)}`, tags));
  }
  out.push(...diffPagination(from.pagination, to.pagination));
  // Equal schemas have no changes; proving it is far cheaper than walking them (a re-scrape mostly rewords descriptions).
  if (!sameJson(from.inputSchema, to.inputSchema)) {
    out.push(...diffSchemas(from.inputSchema ?? DEFAULT_INPUT, to.inputSchema ?? DEFAULT_INPUT, { direction: "input", pointer: "/inputSchema", ...limits }));
  }
  if (!sameJson(from.outputSchema, to.outputSchema)) out.push(...diffOutput(from.outputSchema, to.outputSchema, limits));
  return out;
}

/** `/repos/{owner}/{repo}` and `/repos/{org}/{name}` reach the same upstream URL. */
function pathTemplate(path: unknown): string {
  return String(path).replace(/\{[^}]*\}/g, "{}");
}

function tagSet(tags: unknown): string[] {
  return Array.isArray(tags) ? [...new Set(tags.filter((tag): tag is string => typeof tag === "string"))].sort() : [];
}

function diffPagination(from: unknown, to: unknown): VersionChange[] {
  const before = isRecord(from) ? from : null;
  const after = isRecord(to) ? to : null;
  if (sameJson(before, after)) return [];
  const strategy = (pagination: typeof before): string => (pagination && typeof pagination.strategy === "string" ? pagination.strategy : "none");
  const strategyChanged = strategy(before) !== strategy(after);
  const itemsChanged = !sameJson(before?.itemsPath, after?.itemsPath);
  const message = strategyChanged
    ? `pagination changed from ${strategy(before)} to ${strategy(after)}`
    : itemsChanged
      ? `pagination items path changed from ${showValue(before?.itemsPath)} to ${showValue(after?.itemsPath)}`
      : `${strategy(after)} pagination parameters changed`;
  return [change("pagination-changed", rules.pagination(strategyChanged || itemsChanged), "/pagination", message, { before, after })];
}

function diffOutput(from: unknown, to: unknown, limits: SchemaLimits): VersionChange[] {
  const hadSchema = from !== null && from !== undefined;
  const hasSchema = to !== null && to !== undefined;
  if (hadSchema && !hasSchema) return [change("schema-removed", rules.outputSchemaRemoved, "/outputSchema", "output schema was removed: responses are no longer typed")];
  if (!hadSchema && hasSchema) return [change("schema-added", rules.outputSchemaAdded, "/outputSchema", "output schema was added")];
  if (!hadSchema) return [];
  return diffSchemas(from, to, { direction: "output", pointer: "/outputSchema", ...limits });
}
