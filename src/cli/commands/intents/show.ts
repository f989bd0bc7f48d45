import { routes, type Intent } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context, options: { name: string; version?: number }): Promise<Intent> {
  return (await context.client()).call(routes.getIntent, { params: { name: options.name }, query: options.version === undefined ? {} : { version: options.version } });
}

export function render(intent: Intent, io: IO): void {
  io.out(`${intent.name} version ${intent.version}${intent.version === intent.latestVersion ? "" : ` (latest is ${intent.latestVersion})`}${intent.description ? `: ${intent.description}` : ""}`);
  io.out(`input:  ${JSON.stringify(intent.inputSchema)}`);
  io.out(`output: ${JSON.stringify(intent.outputSchema)}`);
  if (intent.preference.length > 0) io.out(`preference: ${intent.preference.join(", ")}`);
  if (intent.bindings.length === 0) io.out("No providers bound.");
  for (const binding of intent.bindings) {
    const unsupported = binding.unsupported.length > 0 ? `; cannot take ${binding.unsupported.join(", ")}` : "";
    io.out(`  ${binding.integration}: ${binding.action} (checked against version ${binding.integrationVersion}${unsupported})`);
  }
}
