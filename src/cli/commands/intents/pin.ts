import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { app: string; name: string; version: number }): Promise<{ app: string; intent: string; version: number }> {
  const pin = await (await context.client()).call(routes.setIntentPin, { params: { app: options.app, name: options.name }, body: { version: options.version } });
  return { app: options.app, ...pin };
}

export function render(result: { app: string; intent: string; version: number }, io: IO): void {
  io.out(`Pinned ${result.app} to ${result.intent}@${result.version}. Regenerate its client (\`waygate generate\`) to type it for this version.`);
}
