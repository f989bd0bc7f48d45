import type { Kysely } from "kysely";
import type { Tenant } from "../contract/index.js";
import { newId } from "./ids.js";
import type { Database, TenantTable } from "./schema.js";

export class TenantRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  async create(name: string): Promise<Tenant> {
    const row: TenantTable = { id: newId("ten"), name, created_at: this.now().toISOString() };
    await this.db.insertInto("tenants").values(row).execute();
    return toTenant(row);
  }

  async get(id: string): Promise<Tenant | undefined> {
    const row = await this.db.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toTenant(row);
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom("tenants").selectAll().orderBy("created_at").orderBy("id").execute();
    return rows.map(toTenant);
  }

  async count(): Promise<number> {
    const { count } = await this.db
      .selectFrom("tenants")
      .select((eb) => eb.fn.countAll<string | number>().as("count"))
      .executeTakeFirstOrThrow();
    return Number(count);
  }
}

function toTenant(row: TenantTable): Tenant {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}
