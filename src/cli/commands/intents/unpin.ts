import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { app: string; name: string }): Promise<{ app: string; intent: string }> {
  await (await context.client()).call(routes.deleteIntentPin, { params: { app: options.app, name: options.name } });
  return { app: options.app, intent: options.name };
}

export function render(result: { app: string; intent: string }, io: IO): void {
  io.out(`${result.app} runs the latest version of ${result.intent} again.`);
}
