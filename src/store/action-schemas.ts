import { createHash } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { ActionDefinition, JsonSchema } from "../contract/index.js";
import { StoredDataError, type StoredActionParts } from "./decode.js";
import type { Database } from "./schema.js";

/**
 * How a version's actions keep the schemas they share (migration 016): each action schema
 * carries, under `$defs`, every shared definition it reaches (that is the contract: an action
 * schema stands alone), so a big spec repeats them in every action; Stripe's 452 actions reach
 * ~775 each, Microsoft Graph's 11 000 about 440. Stored, a schema's `$defs` object becomes the
 * digest of an `action_schemas` row holding `{ <name>: <digest of the member> }`, and each
 * member the row of its digest: every distinct `$defs` object and every distinct member is
 * written once per version. Read back, each is parsed once and shared by the actions that name
 * it, as the importer shares them.
 *
 * `$defs` is an object of schemas, never a string, so in a row flagged `sharedDefs` a string
 * `$defs` is a digest without ambiguity.
 */
export class SharedSchemaWriter {
  private readonly digests = new WeakMap<object, string>();
  private readonly texts = new Map<string, string>();

  /** The action's stored parts, each schema's `$defs` replaced by its digest. */
  parts(action: ActionDefinition): StoredActionParts {
    return {
      tags: action.tags,
      inputSchema: this.schema(action.inputSchema),
      outputSchema: action.outputSchema && this.schema(action.outputSchema),
      errors: Object.fromEntries(Object.entries(action.errors).map(([status, schema]) => [status, this.schema(schema)])),
      pagination: action.pagination,
      ...(action.provenance ? { provenance: action.provenance } : {}),
      sharedDefs: true,
    };
  }

  /** The distinct `$defs` objects and members seen so far, digest → JSON text. */
  schemas(): ReadonlyMap<string, string> {
    return this.texts;
  }

  private schema(schema: JsonSchema): JsonSchema {
    const defs = schema["$defs"];
    if (typeof defs !== "object" || defs === null || Array.isArray(defs)) return schema;
    return { ...schema, $defs: this.definitions(defs as Record<string, unknown>) };
  }

  private definitions(defs: Record<string, unknown>): string {
    const known = this.digests.get(defs);
    if (known !== undefined) return known;
    const members: Record<string, string> = {};
    for (const [name, member] of Object.entries(defs)) if (member !== undefined) members[name] = this.member(member);
    const digest = this.keep(JSON.stringify(members));
    this.digests.set(defs, digest);
    return digest;
  }

  private member(member: unknown): string {
    const shared = typeof member === "object" && member !== null;
    const known = shared ? this.digests.get(member) : undefined;
    if (known !== undefined) return known;
    const digest = this.keep(JSON.stringify(member));
    if (shared) this.digests.set(member, digest);
    return digest;
  }

  private keep(text: string): string {
    const digest = createHash("sha256").update(text).digest("hex");
    this.texts.set(digest, text);
    return digest;
  }
}

/** Rows per insert: a shared schema can be large; a few hundred keep each statement reasonable. */
const SCHEMA_INSERT_BATCH = 200;

export async function insertSharedSchemas(trx: Transaction<Database>, versionId: string, schemas: ReadonlyMap<string, string>): Promise<void> {
  const rows = [...schemas].map(([digest, schema]) => ({ version_id: versionId, digest, schema }));
  for (let start = 0; start < rows.length; start += SCHEMA_INSERT_BATCH) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    await trx.insertInto("action_schemas").values(rows.slice(start, start + SCHEMA_INSERT_BATCH)).execute();
  }
}

/** A version's stored `$defs` objects by digest (undefined for a digest without a row). */
export interface SharedDefinitions {
  get(digest: string): Record<string, unknown> | undefined;
}

/** For versions written before shared schemas. */
export const NO_SHARED_DEFINITIONS: SharedDefinitions = { get: () => undefined };

/**
 * The `$defs` objects of a version, each built once from its rows when first asked for (its
 * members parsed once and shared between them). `only`: the digests one action names, read
 * with their members alone (default: all the version's rows).
 */
export async function loadSharedSchemas(db: Kysely<Database>, versionId: string, only?: readonly string[]): Promise<SharedDefinitions> {
  const texts = await schemaTexts(db, versionId, only);
  if (only !== undefined) {
    const members = [...texts.values()].flatMap((text) => Object.values(JSON.parse(text) as Record<string, string>));
    for (const [digest, text] of await schemaTexts(db, versionId, members)) texts.set(digest, text);
  }
  const parsed = new Map<string, unknown>();
  const member = (digest: string): unknown => {
    if (!parsed.has(digest)) {
      const text = texts.get(digest);
      if (text === undefined) throw new StoredDataError(`action_schemas: the shared schema ${digest} of version ${versionId} is not stored`);
      parsed.set(digest, JSON.parse(text));
    }
    return parsed.get(digest);
  };
  const built = new Map<string, Record<string, unknown>>();
  return {
    get(digest) {
      const known = built.get(digest);
      if (known !== undefined) return known;
      const text = texts.get(digest);
      if (text === undefined) return undefined;
      const defs: Record<string, unknown> = {};
      for (const [name, memberDigest] of Object.entries(JSON.parse(text) as Record<string, string>)) defs[name] = member(memberDigest);
      built.set(digest, defs);
      return defs;
    },
  };
}

async function schemaTexts(db: Kysely<Database>, versionId: string, only: readonly string[] | undefined): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const some of only === undefined ? [undefined] : chunks([...new Set(only)], 500)) {
    let query = db.selectFrom("action_schemas").select(["digest", "schema"]).where("version_id", "=", versionId);
    if (some) query = query.where("digest", "in", some);
    for (const row of await query.execute()) texts.set(row.digest, row.schema);
  }
  return texts;
}

/** The `$defs` digests a stored action's schemas name (none for a row written before shared schemas). */
export function sharedDigests(parts: StoredActionParts): string[] {
  if (!parts.sharedDefs) return [];
  return schemasOf(parts).flatMap((schema) => (typeof schema["$defs"] === "string" ? [schema["$defs"]] : []));
}

/** The stored parts with each `$defs` digest replaced by its object; a digest without a row is a broken store, said loudly. */
export function withSharedSchemas(parts: StoredActionParts, definitions: SharedDefinitions, where: string): Omit<StoredActionParts, "sharedDefs"> {
  const { sharedDefs, ...rest } = parts;
  if (!sharedDefs) return rest;
  const resolve = (schema: JsonSchema): JsonSchema => {
    const digest = schema["$defs"];
    if (typeof digest !== "string") return schema;
    const defs = definitions.get(digest);
    if (defs === undefined) throw new StoredDataError(`action_schemas: ${where} names the shared $defs ${digest}, which is not stored`);
    return { ...schema, $defs: defs };
  };
  return {
    ...rest,
    inputSchema: resolve(rest.inputSchema),
    outputSchema: rest.outputSchema && resolve(rest.outputSchema),
    errors: Object.fromEntries(Object.entries(rest.errors).map(([status, schema]) => [status, resolve(schema)])),
  };
}

function schemasOf(parts: StoredActionParts): JsonSchema[] {
  return [parts.inputSchema, ...(parts.outputSchema ? [parts.outputSchema] : []), ...Object.values(parts.errors)];
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
