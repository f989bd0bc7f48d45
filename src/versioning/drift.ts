import { createHash } from "node:crypto";
import type { DriftChange, DriftSeverity, SeverityOverrides } from "../contract/drift.js";
import type { ChangeKind, VersionChange, VersionDiff } from "../contract/versioning.js";
import { canonicalJson } from "../lib/canonical-json.js";

/**
 * Kinds that change what people read, not what programs send or receive (oasdiff's INFO
 * level). The diff rates them non-breaking; a drift report shows them apart so that the
 * changes that matter stand out.
 */
const INFORMATIONAL: ReadonlySet<ChangeKind> = new Set(["summary-changed", "description-changed", "tags-changed", "name-changed"]);

/**
 * The diff as drift changes: one per item, each with a severity (breaking from the one
 * classifier, informational for documentation-only kinds) and a fingerprint that is the same
 * whenever the same change is seen again, and different once it changes again (its before
 * and after are part of it), so a suppressed change comes back when it moves.
 */
export function driftChanges(diff: VersionDiff): DriftChange[] {
  const changes: DriftChange[] = [];
  for (const change of diff.integration) changes.push(fromVersionChange(null, change));
  for (const action of diff.actions.added) {
    changes.push(withFingerprint({ severity: "non-breaking", action: action.name, kind: "action-added", pointer: "", message: `${action.name} added (${action.method} ${action.path})`, after: { method: action.method, path: action.path } }));
  }
  for (const action of diff.actions.removed) {
    changes.push(withFingerprint({ severity: "breaking", action: action.name, kind: "action-removed", pointer: "", message: `${action.name} removed (${action.method} ${action.path})`, before: { method: action.method, path: action.path } }));
  }
  for (const action of diff.actions.changed) for (const change of action.changes) changes.push(fromVersionChange(action.name, change));
  return changes;
}

/** `changes` as an integration's overrides rate them, without the kinds it ignores. Fingerprints stay as they were. */
export function withSeverityOverrides(changes: DriftChange[], overrides: SeverityOverrides): DriftChange[] {
  return changes.flatMap((change) => {
    const level = overrides[change.kind];
    if (level === undefined) return [change];
    return level === "ignore" ? [] : [{ ...change, severity: level }];
  });
}

/** The highest severity among `changes`; informational for none. */
export function highestSeverity(changes: readonly Pick<DriftChange, "severity">[]): DriftSeverity {
  if (changes.some((change) => change.severity === "breaking")) return "breaking";
  if (changes.some((change) => change.severity === "non-breaking")) return "non-breaking";
  return "informational";
}

function fromVersionChange(action: string | null, change: VersionChange): DriftChange {
  const severity: DriftSeverity = change.severity === "breaking" ? "breaking" : INFORMATIONAL.has(change.kind) ? "informational" : "non-breaking";
  return withFingerprint({
    severity,
    action,
    kind: change.kind,
    pointer: change.pointer,
    message: change.message,
    ...(change.before === undefined ? {} : { before: change.before }),
    ...(change.after === undefined ? {} : { after: change.after }),
  });
}

/** SHA-256 over what identifies the change (not its wording or severity, which may be reworded or re-rated), 24 hex digits. */
export function withFingerprint(change: Omit<DriftChange, "fingerprint">): DriftChange {
  const identity = canonicalJson([change.action, change.kind, change.pointer, change.before ?? null, change.after ?? null]);
  return { fingerprint: createHash("sha256").update(identity).digest("hex").slice(0, 24), ...change };
}
