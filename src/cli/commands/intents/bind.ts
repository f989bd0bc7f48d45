import { IntentMappingSchema, routes, type Intent } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { readJsonArgument } from "../json-argument.js";

export interface BindOptions {
  name: string;
  integration: string;
  action: string;
  mapping: string;
  intentVersion?: number;
}

export async function run(context: Context, options: BindOptions): Promise<Intent & { bound: string }> {
  const parsed = IntentMappingSchema.safeParse(await readJsonArgument(context, options.mapping, { plainPath: true, what: "--mapping" }));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--mapping: ${issue.path.join(".") || "(root)"}: ${issue.message} (expected { "input": [steps], "output": [steps] } with ops move, set, constant, template, drop)`);
  }
  const intent = await (await context.client()).call(routes.bindIntent, {
    params: { name: options.name, slug: options.integration },
    body: { action: options.action, mapping: parsed.data, ...(options.intentVersion !== undefined ? { intentVersion: options.intentVersion } : {}) },
  });
  return { ...intent, bound: options.integration };
}

export function render(intent: Intent & { bound: string }, io: IO): void {
  const binding = intent.bindings.find((candidate) => candidate.integration === intent.bound);
  io.out(`Bound ${intent.bound} ${binding?.action ?? ""} to ${intent.name} version ${intent.version}.`);
  if (binding && binding.unsupported.length > 0) io.out(`${intent.bound} cannot take ${binding.unsupported.join(", ")}: calls that give them list them as unsupported.`);
}
