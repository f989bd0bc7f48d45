import { routes, type Intent } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

export async function run(context: Context): Promise<{ data: Intent[] }> {
  return (await context.client()).call(routes.listIntents, {});
}

export function render(result: { data: Intent[] }, io: IO): void {
  if (result.data.length === 0) {
    io.out("No intents yet. Start from a template: waygate intents create send_message --template messages");
    return;
  }
  for (const intent of result.data) {
    const providers = intent.bindings.map((binding) => `${binding.integration} (${binding.action})`).join(", ") || "no providers bound";
    io.out(`${intent.name}@${intent.version}  ${providers}`);
  }
}
