import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { confirmDestructive } from "../confirm.js";
import { hintApp, type ConnectionRef } from "./show.js";

export async function run(context: Context, options: ConnectionRef): Promise<{ deleted: string }> {
  const client = await context.client();
  const query = { app: options.app };
  const connection = await hintApp(options, client.call(routes.getConnection, { params: { connectionId: options.id }, query }));
  await confirmDestructive(context, `Delete connection ${connection.id} to ${connection.integration}${connection.externalUserId ? ` for ${connection.externalUserId}` : ""}? Its credentials are erased.`);
  await client.call(routes.deleteConnection, { params: { connectionId: options.id }, query });
  return { deleted: options.id };
}

export function render(result: { deleted: string }, io: IO): void {
  io.out(`Deleted connection ${result.deleted}.`);
}
