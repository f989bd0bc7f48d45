import { createHash } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { ActionDefinition, JsonSchema } from "../contract/index.js";
import { StoredDataError, type StoredActionParts } from "./decode.js";
import type { Database } from "./schema.js";

/**
 * How a version's actions keep the schemas they share (migration 016): each action schema
 * carries, under `$defs`, every shared definition it reaches (that is the contract: an action
 * schema stands alone), so a big spec repeats them in every action; Stripe's 452 actions reach
 * ~775 each. Stored, each `$defs` member becomes the digest of an `action_schemas` row of the
 * version, written once; read back, the digests become the schemas again, parsed once per
 * version and shared by the actions that name them, as the importer shares them.
 *
 * A `$defs` member is a schema (an object or a boolean), never a string, so a string member of
 * a row flagged `sharedDefs` is a digest without ambiguity.
 */
export class SharedSchemaWriter {
  private readonly digests = new WeakMap<object, string>();
  private readonly texts = new Map<string, string>();

  /** The action's stored parts, each `$defs` member replaced by its digest. */
  parts(action: ActionDefinition): StoredActionParts {
    return {
      tags: action.tags,
      inputSchema: this.schema(action.inputSchema),
      outputSchema: action.outputSchema && this.schema(action.outputSchema),
      errors: Object.fromEntries(Object.entries(action.errors).map(([status, schema]) => [status, this.schema(schema)])),
      pagination: action.pagination,
      sharedDefs: true,
    };
  }

  /** The distinct shared schemas seen so far, digest → JSON text. */
  schemas(): ReadonlyMap<string, string> {
    return this.texts;
  }

  private schema(schema: JsonSchema): JsonSchema {
    const defs = schema["$defs"];
    if (typeof defs !== "object" || defs === null || Array.isArray(defs)) return schema;
    const pooled: Record<string, string> = {};
    for (const [name, member] of Object.entries(defs as Record<string, unknown>)) if (member !== undefined) pooled[name] = this.digest(member);
    return { ...schema, $defs: pooled };
  }

  private digest(member: unknown): string {
    const shared = typeof member === "object" && member !== null;
    const known = shared ? this.digests.get(member) : undefined;
    if (known !== undefined) return known;
    const text = JSON.stringify(member);
    const digest = createHash("sha256").update(text).digest("hex");
    this.texts.set(digest, text);
    if (shared) this.digests.set(member, digest);
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

/** Digest → parsed schema, for the digests given (all of the version's when omitted). */
export async function loadSharedSchemas(db: Kysely<Database>, versionId: string, digests?: readonly string[]): Promise<Map<string, unknown>> {
  const found = new Map<string, unknown>();
  const wanted = digests === undefined ? [undefined] : chunks([...new Set(digests)], 500);
  for (const some of wanted) {
    let query = db.selectFrom("action_schemas").select(["digest", "schema"]).where("version_id", "=", versionId);
    if (some) query = query.where("digest", "in", some);
    for (const row of await query.execute()) found.set(row.digest, JSON.parse(row.schema) as unknown);
  }
  return found;
}

/** The digests a stored action's schemas name (none for a row written before shared schemas). */
export function sharedDigests(parts: StoredActionParts): string[] {
  if (!parts.sharedDefs) return [];
  return schemasOf(parts).flatMap((schema) => Object.values(definitionsOf(schema)).filter((member): member is string => typeof member === "string"));
}

/** The stored parts with each digest replaced by its schema; a digest without a row is a broken store, said loudly. */
export function withSharedSchemas(parts: StoredActionParts, schemas: ReadonlyMap<string, unknown>, where: string): Omit<StoredActionParts, "sharedDefs"> {
  const { sharedDefs, ...rest } = parts;
  if (!sharedDefs) return rest;
  const resolve = (schema: JsonSchema): JsonSchema => {
    const defs = definitionsOf(schema);
    if (Object.keys(defs).length === 0) return schema;
    const members: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(defs)) {
      if (typeof member !== "string") members[name] = member;
      else if (schemas.has(member)) members[name] = schemas.get(member);
      else throw new StoredDataError(`action_schemas: ${where} names the shared schema ${member} (its $defs/${name}), which is not stored`);
    }
    return { ...schema, $defs: members };
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

function definitionsOf(schema: JsonSchema): Record<string, unknown> {
  const defs = schema["$defs"];
  return typeof defs === "object" && defs !== null && !Array.isArray(defs) ? (defs as Record<string, unknown>) : {};
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
