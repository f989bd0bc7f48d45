import { routes, type App } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { name: string }): Promise<App> {
  return (await context.client()).call(routes.createApp, { body: { name: options.name } });
}

export function render(app: App, io: IO): void {
  io.out(`Created app ${app.name} (${app.id}). Give it a key with \`waygate apps keys create ${app.name}\`.`);
}
