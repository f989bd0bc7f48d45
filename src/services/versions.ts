import { setTimeout as delay } from "node:timers/promises";
import { describeAuthSchemes, type AuthScheme, type DiffSummary, type IntegrationDefinition, type IntegrationDetail, type Version, type VersionDiff } from "../contract/index.js";
import { definitionHash, isCurrentDefinitionHash, legacyDefinitionHash } from "../lib/definition-hash.js";
import type { Store } from "../store/index.js";
import { diffDefinitions, formatDiff, hasBreakingChanges } from "../versioning/index.js";

export interface CreateVersionInput {
  definition: IntegrationDefinition;
  /** Who asks: `key:<id>` for an API call, `import:<job id>` for an import. Recorded as the version's author. */
  actor: string;
  draft?: boolean;
  /** Default: `definitionHash(definition)`. The importer passes the hash it computed. */
  contentHash?: string;
  /** The definition's hashes when the caller compared them with a stored version already (the import job does). */
  hashes?: DefinitionHashes;
  /** Default: what changed against the version before it ("actions: 2 added, 1 changed (1 breaking)"). */
  changelog?: string;
  /**
   * Names this request (an import's `import:<job id>`), unique in the tenant. Asked again
   * (a job resumed after a crash between saving and completing), the answer is what it came
   * to the first time, and nothing is written: content is never applied a second time over
   * versions that landed meanwhile.
   */
  requestKey?: string;
  /** Save only while this is still the current version (an amendment built from it); else `moved`. */
  expectedCurrent?: number | null;
  /**
   * The diff summary of `definition` against a version the caller already compared it with
   * (a drift check diffs the fresh scrape against the current version): used when that version
   * is still the latest, instead of loading and diffing it again.
   */
  comparedWith?: { version: number; summary: DiffSummary };
}

export type CreateVersionOutcome =
  | {
      kind: "saved";
      integration: IntegrationDetail;
      version: number;
      status: Version["status"];
      /** False when the content already was the latest version's: nothing was written. */
      created: boolean;
      /** The version's content hash as stored (when nothing was written, the latest version's, which may be in format 1). */
      contentHash: string;
    }
  /** A text the store keeps as such (a name, a path) holds something no database can store. `field` is a path in the definition. */
  | { kind: "invalid"; field: string; message: string }
  /** Other versions kept landing while this one's changelog was being composed; nothing was written. Worth retrying. */
  | { kind: "contended"; message: string }
  /** `expectedCurrent` was given and the current version moved (a publish or rollback landed meanwhile); nothing was written. */
  | { kind: "moved"; current: number | null; message: string };

/** What amending the current version (`setBaseUrl`, `setAuth`) comes to. */
export type AmendOutcome = CreateVersionOutcome | { kind: "missing"; what: "integration" | "current version" };

export type MoveOutcome =
  | { kind: "done"; integration: IntegrationDetail; version: Version }
  | { kind: "missing"; what: "integration" | "version" }
  /** A rollback may only go to a published version. */
  | { kind: "not-published"; version: number }
  /** `failOnBreaking` and the version breaks the current one: `breaking` lists the breaking changes, one line each. */
  | { kind: "breaking"; version: number; current: number; diff: VersionDiff; breaking: string[] }
  | { kind: "contended"; message: string };

export type DiffOutcome = { kind: "diff"; diff: VersionDiff } | { kind: "missing"; what: "integration" } | { kind: "missing"; what: "version"; version: number };

export interface VersionServiceOptions {
  /** How often a write whose basis went stale (another version landed, the current one moved) is composed again. Default 20. */
  maxAttempts?: number;
}

/**
 * The one place that makes, publishes and rolls back integration versions, whoever asks
 * (the API, an import job, later drift proposals and their approval). It owns the rules: what
 * a version's changelog and diff summary say about the one before it, and whether a publish
 * may break the current version. The store only persists, atomically and under the
 * integration's lock; the slow part (loading and diffing a whole version) happens here,
 * outside that lock, and the write is refused as stale when its basis moved meanwhile, to be
 * composed again against the new one.
 */
export class VersionService {
  private readonly maxAttempts: number;

  constructor(
    private readonly store: Store,
    options: VersionServiceOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 20;
  }

  /**
   * Stores `definition` as the integration's next version, creating the integration on first
   * use. A published version becomes current at once; a draft waits for `publish`. Content
   * equal to the latest version's writes nothing (`created: false`).
   */
  async create(tenantId: string, input: CreateVersionInput): Promise<CreateVersionOutcome> {
    const { definition } = input;
    const unstorable = unstorableText(definition);
    if (unstorable) return { kind: "invalid", ...unstorable };
    const hashes = input.hashes ?? new DefinitionHashes(definition, input.contentHash);
    for (let attempt = 1; ; attempt++) {
      const latest = await this.store.versions.latest(tenantId, definition.slug);
      // Equal to the latest version's, the hash makes the store write nothing (in the latest version's format).
      const hash = latest && hashes.matches(latest.contentHash) ? latest.contentHash : hashes.current;
      let composed: { changelog: string; diffSummary: DiffSummary | null } | undefined = { changelog: input.changelog ?? "first version", diffSummary: null };
      if (latest && latest.contentHash !== hash) {
        const known = input.comparedWith?.version === latest.version ? input.comparedWith.summary : undefined;
        composed = known ? { changelog: input.changelog ?? describeSummary(known), diffSummary: known } : await this.compose(tenantId, definition, latest.version, input.changelog);
      }
      if (composed) {
        const outcome = await this.store.versions.append(tenantId, definition, {
          contentHash: hash,
          createdBy: input.actor,
          ...(input.draft ? { draft: true } : {}),
          ...composed,
          ...(input.requestKey === undefined ? {} : { requestKey: input.requestKey }),
          expectedLatest: latest?.version ?? null,
          ...(input.expectedCurrent === undefined ? {} : { expectedCurrent: input.expectedCurrent }),
        });
        if (outcome.kind === "moved") {
          const now = outcome.current === null ? "there is no current version now" : `version ${outcome.current} is current now`;
          return {
            kind: "moved",
            current: outcome.current,
            message: `the current version of "${definition.slug}" moved while this change was being saved (it was made from version ${String(input.expectedCurrent)}; ${now}); nothing was saved: run the command again to apply it to the new current version`,
          };
        }
        if (outcome.kind !== "stale") return { kind: "saved", integration: outcome.integration, version: outcome.version, status: outcome.status, created: outcome.created, contentHash: hash };
      }
      if (attempt >= this.maxAttempts) {
        return { kind: "contended", message: `other versions of "${definition.slug}" kept landing while this one was being saved (${attempt} attempts); try again` };
      }
      await backOff(attempt);
    }
  }

  /**
   * The current version with another base URL, saved as the next version and made current
   * (self-hosted products have one spec and many base URLs; no re-import needed). Pinned apps
   * stay on their versions.
   */
  async setBaseUrl(tenantId: string, slug: string, baseUrl: string, options: { actor: string }): Promise<AmendOutcome> {
    const outcome = await this.amendCurrent(tenantId, slug, options, (definition) => ({
      definition: { ...definition, baseUrl },
      changelog: `base URL changed from ${definition.baseUrl} to ${baseUrl}`,
    }));
    // Drift checks scrape the docs again with this base URL: a re-scrape must not propose the docs' URL back.
    const integration = outcome.kind === "saved" ? await this.store.integrations.find(tenantId, slug) : undefined;
    if (integration) await this.store.drift.setSourceServerUrl(integration.id, baseUrl);
    return outcome;
  }

  /**
   * The current version with these auth schemes, saved as the next version and made current:
   * the fix for an integration scraped with the wrong auth, or none. A person chose them, so
   * they are no longer unverified.
   */
  async setAuth(tenantId: string, slug: string, authSchemes: AuthScheme[], options: { actor: string }): Promise<AmendOutcome> {
    return this.amendCurrent(tenantId, slug, options, (definition) => ({
      definition: { ...definition, authSchemes, authTypeUnverified: false },
      changelog: `auth changed from ${describeAuthSchemes(definition.authSchemes)} to ${describeAuthSchemes(authSchemes)}`,
    }));
  }

  /** Saves `amend(current definition)` as the next version, made current. */
  private async amendCurrent(
    tenantId: string,
    slug: string,
    options: { actor: string },
    amend: (definition: IntegrationDefinition) => { definition: IntegrationDefinition; changelog: string },
  ): Promise<AmendOutcome> {
    const integration = await this.store.integrations.find(tenantId, slug);
    if (!integration) return { kind: "missing", what: "integration" };
    const current = integration.currentVersion;
    const definition = current === null ? undefined : await this.store.versions.definition(tenantId, slug, current);
    if (!definition) return { kind: "missing", what: "current version" };
    const amended = amend(definition);
    // Built from `current`: if a publish or rollback moves it meanwhile, saving this would silently undo that move.
    return this.create(tenantId, { definition: amended.definition, actor: options.actor, changelog: amended.changelog, expectedCurrent: current });
  }

  /**
   * Publishes a version (a draft, or an earlier published one) and makes it current.
   * With `failOnBreaking`, refuses a version that breaks the current one; the check and the
   * move see the same current version. Publishing the current version again changes nothing.
   */
  async publish(tenantId: string, slug: string, version: number, options: { actor: string; failOnBreaking?: boolean }): Promise<MoveOutcome> {
    for (let attempt = 1; ; attempt++) {
      let expectedCurrent: number | null | undefined;
      if (options.failOnBreaking) {
        const integration = await this.store.integrations.find(tenantId, slug);
        if (!integration) return { kind: "missing", what: "integration" };
        const current = integration.currentVersion;
        if (current !== null && current !== version) {
          const [from, to] = await Promise.all([this.store.versions.definition(tenantId, slug, current), this.store.versions.definition(tenantId, slug, version)]);
          if (!to) return { kind: "missing", what: "version" };
          if (from) {
            const diff = diffDefinitions(from, to, { fromVersion: current, toVersion: version });
            if (hasBreakingChanges(diff)) {
              return { kind: "breaking", version, current, diff, breaking: formatDiff(diff).filter((line) => line.endsWith("(breaking)")) };
            }
          }
        }
        expectedCurrent = current;
      }
      const moved = await this.store.versions.moveCurrent(tenantId, slug, version, {
        event: "published",
        actor: options.actor,
        ...(expectedCurrent === undefined ? {} : { expectedCurrent }),
      });
      if (moved.kind !== "stale") return moved;
      if (attempt >= this.maxAttempts) return { kind: "contended", message: `the current version of "${slug}" kept moving while version ${version} was being checked; try again` };
      await backOff(attempt);
    }
  }

  /** Makes an earlier published version current again: one pointer move, recorded in the history. */
  async rollback(tenantId: string, slug: string, version: number, options: { actor: string }): Promise<MoveOutcome> {
    const moved = await this.store.versions.moveCurrent(tenantId, slug, version, { event: "rollback", actor: options.actor });
    // Without an expected current version a move is never stale.
    if (moved.kind === "stale") return { kind: "contended", message: `the current version of "${slug}" moved; try again` };
    return moved;
  }

  /** What changed from one version to another, each change classified breaking or not. */
  async diff(tenantId: string, slug: string, from: number, to: number): Promise<DiffOutcome> {
    const [before, after] = await Promise.all([this.store.versions.definition(tenantId, slug, from), this.store.versions.definition(tenantId, slug, to)]);
    if (before && after) return { kind: "diff", diff: diffDefinitions(before, after, { fromVersion: from, toVersion: to }) };
    if (!(await this.store.integrations.find(tenantId, slug))) return { kind: "missing", what: "integration" };
    return { kind: "missing", what: "version", version: before ? to : from };
  }

  /** The changelog and diff summary of `definition` as the version after `previous`; undefined when `previous` is gone. */
  private async compose(tenantId: string, definition: IntegrationDefinition, previous: number, changelog: string | undefined) {
    const before = await this.store.versions.definition(tenantId, definition.slug, previous);
    if (!before) return undefined;
    const summary = diffDefinitions(before, definition, { fromVersion: previous, toVersion: previous + 1 }).summary;
    return { changelog: changelog ?? describeSummary(summary), diffSummary: summary };
  }
}

/**
 * A definition's content hash, and whether it equals a stored one. Versions saved before hash
 * format 2 hold a format-1 hash: compared with one of those, the definition is hashed in format 1
 * too (once; slow on the biggest specs, and only until the integration's next version), so that
 * a re-scrape of an unchanged document is still recognised as unchanged after an upgrade.
 */
export class DefinitionHashes {
  readonly current: string;
  private legacy: string | undefined;

  constructor(
    private readonly definition: IntegrationDefinition,
    /** The definition's hash when the caller computed it already (the importer does). */
    known?: string,
  ) {
    this.current = known ?? definitionHash(definition);
  }

  matches(stored: string): boolean {
    if (stored === this.current) return true;
    if (isCurrentDefinitionHash(stored)) return false;
    this.legacy ??= legacyDefinitionHash(this.definition);
    return stored === this.legacy;
  }
}

/** A short, jittered pause, so that writers that lost a race do not meet again at once. */
function backOff(attempt: number): Promise<void> {
  return delay(Math.random() * Math.min(100, 10 * attempt));
}

/** "actions: 1 added, 2 changed (1 breaking)"; "integration settings changed" when no action changed. */
export function describeSummary(summary: DiffSummary): string {
  const parts = [
    summary.added && `${summary.added} added`,
    summary.removed && `${summary.removed} removed`,
    summary.changed && `${summary.changed} changed`,
  ].filter(Boolean);
  const text = parts.length ? `actions: ${parts.join(", ")}` : "integration settings changed";
  return summary.breaking ? `${text} (${summary.breaking} breaking)` : text;
}

/**
 * The definition's texts that are stored as database text (not inside JSON, which escapes
 * them): Postgres refuses a NUL there and SQLite cuts the text off at it. The API refuses
 * such requests at the door; imported documents meet this check here.
 */
function unstorableText(definition: IntegrationDefinition): { field: string; message: string } | undefined {
  const texts: Array<[string, string | undefined]> = [
    ["slug", definition.slug],
    ["name", definition.name],
    ["description", definition.description],
    ["baseUrl", definition.baseUrl],
  ];
  definition.actions.forEach((action, i) => {
    texts.push([`actions.${i}.name`, action.name], [`actions.${i}.path`, action.path], [`actions.${i}.summary`, action.summary], [`actions.${i}.description`, action.description]);
  });
  const found = texts.find(([, text]) => text?.includes("\u0000"));
  return found && { field: found[0], message: "must not contain NUL (U+0000)" };
}
