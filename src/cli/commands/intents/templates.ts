import { routes, type RouteOutput } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

type Templates = RouteOutput<typeof routes.listIntentTemplates>;

export async function run(context: Context): Promise<Templates> {
  return (await context.client()).call(routes.listIntentTemplates, {});
}

export function render(result: Templates, io: IO): void {
  for (const template of result.data) {
    const fields = Object.keys((template.inputSchema["properties"] as Record<string, unknown> | undefined) ?? {}).join(", ");
    io.out(`${template.template}: ${template.name} (${fields}) — ${template.description}`);
  }
}
