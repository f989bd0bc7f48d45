import type { Kysely } from "kysely";
import type { IntentBinding, IntentMapping, JsonSchema } from "../contract/index.js";
import { ReadCache, type ChangeTracker } from "./changes.js";
import { isUniqueViolation } from "./conflicts.js";
import { decodeIntentMapping, decodeIntentSchema, decodeStringList } from "./decode.js";
import type { Database, IntentBindingTable, IntentTable } from "./schema.js";

export interface IntentVersionRecord {
  name: string;
  version: number;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  createdAt: string;
}

export interface NewIntentVersion {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

export interface NewBinding {
  integration: string;
  action: string;
  integrationVersion: number;
  mapping: IntentMapping;
  unsupported: string[];
}

/** Most times `append` retries after another writer took the version number it meant to add. */
const APPEND_ATTEMPTS = 20;

/**
 * Intents, their immutable versions, bindings, provider preferences and app pins. Holds no
 * rules: which schemas are valid, whether a mapping fits and which provider runs are the
 * IntentService's.
 */
export class IntentRepository {
  /** What every intent call reads (the version, its bindings, the preference, the app's pin), until the next write. */
  private readonly versions: ReadCache<string, IntentVersionRecord>;
  private readonly bindingLists: ReadCache<string, IntentBinding[]>;
  private readonly preferences: ReadCache<string, { providers: string[] | undefined }>;
  private readonly pins: ReadCache<string, { version: number | undefined }>;

  constructor(
    private readonly db: Kysely<Database>,
    changes: ChangeTracker,
    private readonly now: () => Date,
  ) {
    this.versions = new ReadCache(changes);
    this.bindingLists = new ReadCache(changes);
    this.preferences = new ReadCache(changes);
    this.pins = new ReadCache(changes);
  }

  /** A version (default the latest), or undefined. */
  get(tenantId: string, name: string, version?: number): Promise<IntentVersionRecord | undefined> {
    return this.versions.get(key(tenantId, name, version ?? "latest"), () => this.read(tenantId, name, version));
  }

  private async read(tenantId: string, name: string, version?: number): Promise<IntentVersionRecord | undefined> {
    let query = this.db.selectFrom("intents").selectAll().where("tenant_id", "=", tenantId).where("name", "=", name);
    query = version === undefined ? query.orderBy("version", "desc") : query.where("version", "=", version);
    const row = await query.limit(1).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Every intent at its latest version, by name. */
  async listLatest(tenantId: string): Promise<IntentVersionRecord[]> {
    const rows = await this.db
      .selectFrom("intents as i")
      .selectAll("i")
      .where("i.tenant_id", "=", tenantId)
      .where((eb) =>
        eb(
          "i.version",
          "=",
          eb.selectFrom("intents as j").select((j) => j.fn.max("j.version").as("v")).whereRef("j.tenant_id", "=", "i.tenant_id").whereRef("j.name", "=", "i.name"),
        ),
      )
      .orderBy("i.name")
      .execute();
    return rows.map(toRecord);
  }

  /**
   * Adds the next version. Two writers racing for one number: the primary key lets one
   * win, and the other takes the number after it.
   */
  async append(tenantId: string, intent: NewIntentVersion): Promise<IntentVersionRecord> {
    for (let attempt = 0; ; attempt++) {
      // From the database, not the read cache: after losing a race, the cache may not have heard of the winner yet.
      const latest = await this.read(tenantId, intent.name);
      const row: IntentTable = {
        tenant_id: tenantId,
        name: intent.name,
        version: (latest?.version ?? 0) + 1,
        description: intent.description,
        input_schema: JSON.stringify(intent.inputSchema),
        output_schema: JSON.stringify(intent.outputSchema),
        created_at: this.now().toISOString(),
      };
      try {
        await this.db.insertInto("intents").values(row).execute();
        return toRecord(row);
      } catch (error) {
        if (!isUniqueViolation(error) || attempt + 1 >= APPEND_ATTEMPTS) throw error;
      }
    }
  }

  async bindings(tenantId: string, name: string, version: number): Promise<readonly IntentBinding[]> {
    return (await this.bindingLists.get(key(tenantId, name, version), () => this.readBindings(tenantId, name, version))) ?? [];
  }

  private async readBindings(tenantId: string, name: string, version: number): Promise<IntentBinding[]> {
    const rows = await this.db
      .selectFrom("intent_bindings")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("intent_name", "=", name)
      .where("intent_version", "=", version)
      .orderBy("integration")
      .execute();
    return rows.map(toBinding);
  }

  /** Binds (or rebinds) one integration to an intent version. */
  async bind(tenantId: string, name: string, version: number, binding: NewBinding): Promise<void> {
    const row: IntentBindingTable = {
      tenant_id: tenantId,
      intent_name: name,
      intent_version: version,
      integration: binding.integration,
      action: binding.action,
      integration_version: binding.integrationVersion,
      mapping: JSON.stringify(binding.mapping),
      unsupported: JSON.stringify(binding.unsupported),
      created_at: this.now().toISOString(),
    };
    const { tenant_id: _t, intent_name: _n, intent_version: _v, integration: _i, ...update } = row;
    await this.db
      .insertInto("intent_bindings")
      .values(row)
      .onConflict((oc) => oc.columns(["tenant_id", "intent_name", "intent_version", "integration"]).doUpdateSet(update))
      .execute();
  }

  async unbind(tenantId: string, name: string, version: number, integration: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("intent_bindings")
      .where("tenant_id", "=", tenantId)
      .where("intent_name", "=", name)
      .where("intent_version", "=", version)
      .where("integration", "=", integration)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The provider order of an app (appId) or of the tenant (null); undefined when none is set. */
  async preference(tenantId: string, appId: string | null, name: string): Promise<readonly string[] | undefined> {
    const found = await this.preferences.get(key(tenantId, appId ?? "", name), async () => ({ providers: await this.readPreference(tenantId, appId, name) }));
    return found?.providers;
  }

  private async readPreference(tenantId: string, appId: string | null, name: string): Promise<string[] | undefined> {
    const row = await this.db
      .selectFrom("intent_preferences")
      .select("providers")
      .where("tenant_id", "=", tenantId)
      .where("app_id", "=", appId ?? "")
      .where("intent_name", "=", name)
      .executeTakeFirst();
    return row && decodeStringList(row.providers);
  }

  async setPreference(tenantId: string, appId: string | null, name: string, providers: string[]): Promise<void> {
    const now = this.now().toISOString();
    const text = JSON.stringify(providers);
    await this.db
      .insertInto("intent_preferences")
      .values({ tenant_id: tenantId, app_id: appId ?? "", intent_name: name, providers: text, updated_at: now })
      .onConflict((oc) => oc.columns(["tenant_id", "app_id", "intent_name"]).doUpdateSet({ providers: text, updated_at: now }))
      .execute();
  }

  async pinned(appId: string, name: string): Promise<number | undefined> {
    const found = await this.pins.get(key(appId, name), async () => {
      const row = await this.db.selectFrom("intent_pins").select("version").where("app_id", "=", appId).where("intent_name", "=", name).executeTakeFirst();
      return { version: row?.version };
    });
    return found?.version;
  }

  async pin(appId: string, name: string, version: number): Promise<void> {
    const now = this.now().toISOString();
    await this.db
      .insertInto("intent_pins")
      .values({ app_id: appId, intent_name: name, version, updated_at: now })
      .onConflict((oc) => oc.columns(["app_id", "intent_name"]).doUpdateSet({ version, updated_at: now }))
      .execute();
  }

  async unpin(appId: string, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("intent_pins").where("app_id", "=", appId).where("intent_name", "=", name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function key(...parts: (string | number)[]): string {
  return parts.join("\u0000");
}

function toRecord(row: IntentTable): IntentVersionRecord {
  return {
    name: row.name,
    version: row.version,
    description: row.description,
    inputSchema: decodeIntentSchema(row.input_schema),
    outputSchema: decodeIntentSchema(row.output_schema),
    createdAt: row.created_at,
  };
}

function toBinding(row: IntentBindingTable): IntentBinding {
  return {
    integration: row.integration,
    action: row.action,
    integrationVersion: row.integration_version,
    mapping: decodeIntentMapping(row.mapping),
    unsupported: decodeStringList(row.unsupported),
    createdAt: row.created_at,
  };
}
