import { routes, type App } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { app: string; name: string }): Promise<App> {
  return (await context.client()).call(routes.renameApp, { params: { app: options.app }, body: { name: options.name } });
}

export function render(app: App, io: IO): void {
  io.out(`Renamed to ${app.name} (${app.id}).`);
}
