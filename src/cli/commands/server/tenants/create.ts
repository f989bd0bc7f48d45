import type { Context } from "../../../context.js";
import { style, type IO } from "../../../io.js";
import { withStore, type DatabaseFlags } from "../database.js";

export interface CreateOptions extends DatabaseFlags {
  name: string;
}

export interface CreateResult {
  tenantId: string;
  tenantName: string;
  apiKey: string;
}

export async function run(context: Context, options: CreateOptions): Promise<CreateResult> {
  return withStore(context, options, async (store) => {
    const tenant = await store.tenants.create(options.name);
    const issued = await store.keys.issue({ tenantId: tenant.id, kind: "tenant", name: "initial" });
    return { tenantId: tenant.id, tenantName: tenant.name, apiKey: issued.secret };
  });
}

export function render(result: CreateResult, io: IO): void {
  io.err(`Created tenant "${result.tenantName}" (${result.tenantId}). Its admin API key, shown this once:`);
  io.out(style(io, "bold", result.apiKey));
}
