import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { name: string; integration: string; version?: number }): Promise<{ name: string; integration: string }> {
  await (await context.client()).call(routes.unbindIntent, {
    params: { name: options.name, slug: options.integration },
    query: options.version === undefined ? {} : { version: options.version },
  });
  return { name: options.name, integration: options.integration };
}

export function render(result: { name: string; integration: string }, io: IO): void {
  io.out(`Unbound ${result.integration} from ${result.name}.`);
}
