import { routes, type Version } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { integration: string; version: number; failOnBreaking: boolean }): Promise<Version> {
  return (await context.client()).call(routes.publishVersion, {
    params: { slug: options.integration, version: options.version },
    body: { failOnBreaking: options.failOnBreaking },
  });
}

export function render(v: Version, io: IO): void {
  io.out(`Published ${v.integration} version ${v.version}; it is now current.`);
}
