import type { DiffSummary, IntegrationDefinition } from "../contract/index.js";
import type { Store } from "../store/index.js";
import type { DefinitionHashes } from "./versions.js";
import { diffDefinitions, formatDiff } from "../versioning/index.js";

/**
 * Whether a freshly scraped definition may replace the current version without a person
 * looking: a re-scrape of the wrong URL, or of a truncated or reorganised document, must not
 * silently become what every unpinned app calls.
 */
export type ReplacementCheck =
  | { kind: "safe" }
  | {
      kind: "risky";
      /** The current version it was compared with. */
      current: number;
      /** One line each: "3 breaking changes: …", "the title changed …", "12 of 20 actions removed". */
      reasons: string[];
      diff: DiffSummary;
    };

/** Most of the current actions gone means another API, or a document cut short. */
const REMOVED_SHARE = 0.5;
const BREAKING_LINES_SHOWN = 3;

export async function checkReplacement(store: Store, tenantId: string, definition: IntegrationDefinition, hashes: DefinitionHashes): Promise<ReplacementCheck> {
  const integration = await store.integrations.find(tenantId, definition.slug);
  const current = integration?.currentVersion ?? null;
  if (current === null) return { kind: "safe" };
  // Content equal to the latest version's is saved as nothing at all: no need to load and diff
  // the current version (for the biggest specs, hundreds of MB of schemas).
  const latest = await store.versions.latest(tenantId, definition.slug);
  if (latest && hashes.matches(latest.contentHash)) return { kind: "safe" };
  const before = await store.versions.definition(tenantId, definition.slug, current);
  if (!before) return { kind: "safe" };
  const diff = diffDefinitions(before, definition, { fromVersion: current, toVersion: current + 1 });
  const reasons: string[] = [];
  if (normaliseTitle(before.name) !== normaliseTitle(definition.name)) {
    reasons.push(`the title changed from ${JSON.stringify(before.name)} to ${JSON.stringify(definition.name)}: is this the same API?`);
  }
  const removed = diff.summary.removed;
  if (before.actions.length > 0 && removed / before.actions.length > REMOVED_SHARE) {
    reasons.push(`${removed} of the current version's ${before.actions.length} actions are removed`);
  }
  if (diff.summary.breaking > 0) {
    const lines = formatDiff(diff).filter((line) => line.endsWith("(breaking)"));
    const shown = lines.slice(0, BREAKING_LINES_SHOWN).join("; ");
    reasons.push(`${diff.summary.breaking} breaking change${diff.summary.breaking === 1 ? "" : "s"}${shown ? `: ${shown}${lines.length > BREAKING_LINES_SHOWN ? "; …" : ""}` : ""}`);
  }
  return reasons.length === 0 ? { kind: "safe" } : { kind: "risky", current, reasons, diff: diff.summary };
}

function normaliseTitle(title: string): string {
  return title.trim().replace(/\s+/g, " ").toLowerCase();
}
