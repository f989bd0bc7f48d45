import type { VersionActionChange, VersionActionRef, VersionChange, VersionDiff } from "../contract/versioning.js";
import { diffAction, type DiffableAction, type SchemaLimits } from "./actions.js";
import { diffIntegrationFields, type DiffableIntegrationFields } from "./integration.js";
import { comparePointers, compareText, isRecord, sameJson } from "./json.js";

/** An integration as the diff reads it: an IntegrationDefinition, its zod input, or a ManifestIntegration. */
export interface DiffableIntegration extends DiffableIntegrationFields {
  actions: readonly DiffableAction[];
}

export interface DiffVersions {
  fromVersion: number;
  toVersion: number;
}

export interface DiffOptions extends DiffVersions {
  /** Per-schema walk limits; the defaults suit GitHub-sized schemas. */
  limits?: SchemaLimits;
}

/**
 * Everything that changed between two versions of one integration, each change
 * classified as breaking or not (rules: severity.ts). Deterministic: actions sorted by
 * name, changes by pointer, so equal inputs give byte-identical output.
 *
 * @example
 * const diff = diffDefinitions(v1, v2, { fromVersion: 1, toVersion: 2 });
 * if (hasBreakingChanges(diff)) for (const line of formatDiff(diff)) io.stderr(line);
 */
export function diffDefinitions(from: DiffableIntegration, to: DiffableIntegration, options: DiffOptions): VersionDiff {
  const before = byName(from.actions);
  const after = byName(to.actions);
  const added = [...after.keys()].filter((name) => !before.has(name)).sort();
  const removed = [...before.keys()].filter((name) => !after.has(name)).sort();
  const changed: VersionActionChange[] = [];
  for (const name of [...before.keys()].filter((name) => after.has(name)).sort()) {
    const [old, current] = [before.get(name) as DiffableAction, after.get(name) as DiffableAction];
    // Most actions of a re-scraped API are unchanged: equal JSON is cheaper to prove than to diff (and unprovable counts as unequal).
    if (sameJson(old, current)) continue;
    const changes = sortChanges(diffAction(old, current, options.limits));
    if (changes.length > 0) changed.push({ name, breaking: changes.some(isBreaking), changes });
  }
  const integration = sortChanges(diffIntegrationFields(from, to));
  const breakingCount = removed.length + changed.reduce((sum, action) => sum + action.changes.filter(isBreaking).length, 0) + integration.filter(isBreaking).length;
  return {
    from: options.fromVersion,
    to: options.toVersion,
    breaking: breakingCount > 0,
    summary: { added: added.length, removed: removed.length, changed: changed.length, breaking: breakingCount },
    actions: {
      added: added.map((name) => refOf(after.get(name) as DiffableAction)),
      removed: removed.map((name) => refOf(before.get(name) as DiffableAction)),
      changed,
    },
    integration,
  };
}

/** First action of each name wins; entries without a name cannot be matched and are skipped. */
function byName(actions: unknown): Map<string, DiffableAction> {
  const map = new Map<string, DiffableAction>();
  if (!Array.isArray(actions)) return map;
  for (const action of actions) {
    if (isRecord(action) && typeof action.name === "string" && !map.has(action.name)) map.set(action.name, action as unknown as DiffableAction);
  }
  return map;
}

function refOf(action: DiffableAction): VersionActionRef {
  return { name: action.name, method: String(action.method), path: String(action.path), deprecated: action.deprecated === true };
}

function isBreaking(change: VersionChange): boolean {
  return change.severity === "breaking";
}

function sortChanges(changes: VersionChange[]): VersionChange[] {
  return changes.sort((a, b) => comparePointers(a.pointer, b.pointer) || compareText(a.kind, b.kind) || compareText(a.message, b.message));
}
