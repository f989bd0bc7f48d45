import type { Tenant } from "../../../../contract/index.js";
import type { Context } from "../../../context.js";
import type { IO } from "../../../io.js";
import { table } from "../../../output.js";
import { withStore, type DatabaseFlags } from "../database.js";

export async function run(context: Context, options: DatabaseFlags): Promise<{ data: Tenant[] }> {
  return withStore(context, options, async (store) => ({ data: await store.tenants.list() }));
}

export function render(result: { data: Tenant[] }, io: IO): void {
  if (result.data.length === 0) io.out("No tenants. Create one with `waygate server init`.");
  else table(io, [{ header: "ID", keep: true }, "NAME", "CREATED"], result.data.map((t) => [t.id, t.name, t.createdAt]));
}
