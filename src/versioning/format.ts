import type { VersionChange, VersionDiff } from "../contract/versioning.js";
import { compareText, printable } from "./json.js";

/**
 * True when any item of the diff is breaking. Read from the items rather than the
 * `breaking` flag, so a diff that was edited or deserialised still answers truthfully.
 */
export function hasBreakingChanges(diff: VersionDiff): boolean {
  return (
    diff.actions.removed.length > 0 ||
    diff.actions.changed.some((action) => action.changes.some(isBreaking)) ||
    diff.integration.some(isBreaking)
  );
}

/**
 * One line per item, integration first, then actions by name:
 *
 * @example
 * formatDiff(diff);
 * // [ "~ changed  integration: base URL changed from \"https://a\" to \"https://b\"",
 * //   "+ added    issues.unlock",
 * //   "~ changed  issues.create: input.title became required (breaking)",
 * //   "- removed  issues.lock (breaking)" ]
 *
 * An empty diff gives no lines; the caller decides how to say "no changes".
 */
export function formatDiff(diff: VersionDiff): string[] {
  const lines = diff.integration.map((change) => `~ changed  integration: ${describe(change)}`);
  const entries: { name: string; lines: string[] }[] = [
    ...diff.actions.added.map((action) => ({ name: action.name, lines: [`+ added    ${printable(action.name)}`] })),
    ...diff.actions.removed.map((action) => ({ name: action.name, lines: [`- removed  ${printable(action.name)} (breaking)`] })),
    ...diff.actions.changed.map((action) => ({
      name: action.name,
      lines: action.changes.map((change) => `~ changed  ${printable(action.name)}: ${describe(change)}`),
    })),
  ];
  entries.sort((a, b) => compareText(a.name, b.name));
  return [...lines, ...entries.flatMap((entry) => entry.lines)];
}

function describe(change: VersionChange): string {
  return `${printable(change.message)}${isBreaking(change) ? " (breaking)" : ""}`;
}

function isBreaking(change: VersionChange): boolean {
  return change.severity === "breaking";
}
