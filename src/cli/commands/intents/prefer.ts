import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { name: string; providers: string[]; app?: string }): Promise<{ providers: string[] }> {
  return (await context.client()).call(routes.setIntentPreference, {
    params: { name: options.name },
    headers: options.app ? { "x-waygate-app": options.app } : {},
    body: { providers: options.providers },
  });
}

export function render(result: { providers: string[] }, io: IO): void {
  io.out(`Providers are tried in this order: ${result.providers.join(", ") || "(by name)"}.`);
}
