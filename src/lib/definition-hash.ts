import { createHash, type Hash } from "node:crypto";
import { contentHash } from "./canonical-json.js";

/**
 * The content hash of an integration definition, as versions store it and compare it (equal
 * content, equal hash: a re-scrape of an unchanged document writes nothing).
 *
 * Format 2, `sha256:v2:<hex>`: SHA-256 of the definition's canonical JSON (keys sorted at every
 * depth, as `canonicalJson` writes them) in which every `$defs` object is written as the hex
 * SHA-256 of `{ <name>: <digest of the member> }` (that object's canonical JSON, each member's
 * digest the hex SHA-256 of its own canonical JSON, by the same rules). Action schemas each
 * carry the shared definitions they reach, so a big spec's text is its actions times its
 * schemas (Stripe: 450 MB of JSON for 452 actions; Microsoft Graph: 14 million `$defs` entries
 * over 11 000 actions); hashing each shared definition and each `$defs` object once (memoised
 * per object: the importer shares them between actions) makes the hash proportional to the
 * distinct content.
 *
 * Format 1 (`sha256:<hex>`, `contentHash(definition)`) is what versions saved before format 2
 * hold; `legacyDefinitionHash` still computes it, to recognise those as unchanged.
 */
export function definitionHash(definition: unknown): string {
  const sink = new HashSink();
  writeCanonical(definition, sink, newMemo());
  return DEFINITION_HASH_PREFIX + sink.digest();
}

export const DEFINITION_HASH_PREFIX = "sha256:v2:";

/** Whether `hash` is in the format `definitionHash` writes today (not one saved by an older Waygate). */
export function isCurrentDefinitionHash(hash: string): boolean {
  return hash.startsWith(DEFINITION_HASH_PREFIX);
}

/** Format 1: SHA-256 of the whole canonical JSON, each action's `$defs` written out in full. Slow on big specs. */
export function legacyDefinitionHash(definition: unknown): string {
  return contentHash(definition);
}

/** Feeds text to SHA-256 in chunks of about a megabyte: no string as large as the whole text is ever built. */
class HashSink {
  private readonly hash: Hash = createHash("sha256");
  private parts: string[] = [];
  private size = 0;

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  digest(): string {
    this.flush();
    return this.hash.digest("hex");
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    this.hash.update(this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
}

/** What one hash computation remembers: shared objects are digested, and their entries written, once. */
interface Memo {
  /** Digest of each `$defs` object and each member of one. */
  digests: WeakMap<object, string>;
  /**
   * The text of the last `"name":"<digest>"` entry written per `$defs` name, and its member: a
   * big spec's `$defs` objects hold mostly the same members (Graph: 584 objects, most
   * holding ~1 700 of its 2 220 definitions), so each entry's text is built once instead of once per object.
   */
  entries: Map<string, { member: unknown; text: string }>;
}

function newMemo(): Memo {
  return { digests: new WeakMap(), entries: new Map() };
}

/** Canonical array-index keys (ECMA-262 §6.1.7): JS objects enumerate them first, in numeric order. */
function isIndex(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

/**
 * JSON.stringify(sortKeys(value)) as canonicalJson does it (keys sorted by code unit, then laid
 * out the way a JS object enumerates them: index-like keys first, numerically; `undefined`
 * members dropped, `undefined` array items written as null), except `$defs` members.
 */
function writeCanonical(value: unknown, sink: HashSink, memo: Memo): void {
  if (value === null || typeof value !== "object") {
    sink.write(JSON.stringify(value) ?? "null");
    return;
  }
  if (Array.isArray(value)) {
    sink.write("[");
    value.forEach((item, index) => {
      if (index > 0) sink.write(",");
      writeCanonical(item, sink, memo);
    });
    sink.write("]");
    return;
  }
  const record = value as Record<string, unknown>;
  let first = true;
  sink.write("{");
  for (const key of canonicalKeys(record)) {
    const member = record[key];
    if (member === undefined) continue;
    sink.write((first ? "" : ",") + JSON.stringify(key) + ":");
    first = false;
    if (key === "$defs" && member !== null && typeof member === "object" && !Array.isArray(member)) sink.write(JSON.stringify(definitionsDigest(member as Record<string, unknown>, memo)));
    else writeCanonical(member, sink, memo);
  }
  sink.write("}");
}

/** The digest of a `$defs` object with each member replaced by the digest of its canonical text. */
function definitionsDigest(defs: Record<string, unknown>, memo: Memo): string {
  const known = memo.digests.get(defs);
  if (known !== undefined) return known;
  const entries: string[] = [];
  for (const key of canonicalKeys(defs)) {
    const member = defs[key];
    if (member === undefined) continue;
    let entry = memo.entries.get(key);
    if (entry?.member !== member) {
      entry = { member, text: JSON.stringify(key) + ":" + JSON.stringify(memberDigest(member, memo)) };
      memo.entries.set(key, entry);
    }
    entries.push(entry.text);
  }
  const digest = createHash("sha256").update("{" + entries.join(",") + "}").digest("hex");
  memo.digests.set(defs, digest);
  return digest;
}

function memberDigest(member: unknown, memo: Memo): string {
  const shared = member !== null && typeof member === "object";
  if (shared) {
    const known = memo.digests.get(member);
    if (known !== undefined) return known;
  }
  const sink = new HashSink();
  writeCanonical(member, sink, memo);
  const digest = sink.digest();
  if (shared) memo.digests.set(member, digest);
  return digest;
}

function canonicalKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record).sort();
  const indices = keys.filter(isIndex);
  if (indices.length === 0) return keys;
  return [...indices.sort((a, b) => Number(a) - Number(b)), ...keys.filter((key) => !isIndex(key))];
}
