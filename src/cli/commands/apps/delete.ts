import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { confirmDestructive } from "../confirm.js";

export async function run(context: Context, options: { app: string }): Promise<{ deleted: string }> {
  const client = await context.client();
  const app = await client.call(routes.getApp, { params: { app: options.app } });
  await confirmDestructive(context, `Delete app ${app.name}? Its ${app.keyCount} key(s) stop working at once, and its pins and connections are removed.`);
  await client.call(routes.deleteApp, { params: { app: app.id } });
  return { deleted: app.name };
}

export function render(result: { deleted: string }, io: IO): void {
  io.out(`Deleted app ${result.deleted}.`);
}
