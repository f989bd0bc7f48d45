import type { Context } from "../../context.js";
import { ConflictError } from "../../errors.js";
import { style, type IO } from "../../io.js";
import { describeStore, withStore, type DatabaseFlags } from "./database.js";

export interface InitOptions extends DatabaseFlags {
  tenant: string;
  force: boolean;
}

export interface InitResult {
  tenantId: string;
  tenantName: string;
  apiKey: string;
  database: string;
}

export async function run(context: Context, options: InitOptions): Promise<InitResult> {
  return withStore(context, options, async (store, location) => {
    const existing = await store.tenants.count();
    if (existing > 0 && !options.force) {
      throw new ConflictError(
        `${describeStore(location)} is already initialised (${existing} tenant${existing === 1 ? "" : "s"}). ` +
          "Add a tenant with `waygate server tenants create <name>`, or pass --force to create one anyway.",
      );
    }
    // Creates the data dir's encryption key (0600) now, unless WAYGATE_ENCRYPTION_KEY is set.
    await store.sealer();
    const tenant = await store.tenants.create(options.tenant);
    const issued = await store.keys.issue({ tenantId: tenant.id, kind: "tenant", name: "initial" });
    return { tenantId: tenant.id, tenantName: tenant.name, apiKey: issued.secret, database: describeStore(location) };
  });
}

export function render(result: InitResult, io: IO): void {
  io.err(`Initialised ${result.database}.`);
  io.err(`Created tenant "${result.tenantName}" (${result.tenantId}). Its admin API key, shown this once:`);
  io.out(style(io, "bold", result.apiKey));
  io.err("\nNext: `waygate server start`, then `waygate login --with-token` and paste the key.");
}
