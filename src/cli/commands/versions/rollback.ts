import { routes, type Version } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { confirmDestructive } from "../confirm.js";

export async function run(context: Context, options: { integration: string; to: number }): Promise<Version> {
  await confirmDestructive(context, `Make ${options.integration} version ${options.to} current? Unpinned apps switch to it on their next call.`);
  return (await context.client()).call(routes.rollback, { params: { slug: options.integration }, body: { to: options.to } });
}

export function render(v: Version, io: IO): void {
  io.out(`Rolled ${v.integration} back: version ${v.version} is current.`);
}
