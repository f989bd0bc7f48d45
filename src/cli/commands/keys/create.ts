import { routes, type CreatedKey } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { style, type IO } from "../../io.js";

export async function run(context: Context, options: { name: string }): Promise<CreatedKey> {
  return (await context.client()).call(routes.createKey, { body: { name: options.name } });
}

export function render(result: CreatedKey, io: IO): void {
  io.err(`Created key ${result.key.id} ("${result.key.name}"). Store it now: it will not be shown again.`);
  io.out(style(io, "bold", result.secret));
}
