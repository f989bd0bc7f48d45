import { IntentTemplateNameSchema, routes, type CreatedIntent } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { readJsonArgument } from "../json-argument.js";

export interface CreateIntentOptions {
  name: string;
  inputSchema?: string;
  outputSchema?: string;
  template?: string;
  description?: string;
  failOnBreaking: boolean;
}

export async function run(context: Context, options: CreateIntentOptions): Promise<CreatedIntent> {
  const template = options.template === undefined ? undefined : IntentTemplateNameSchema.safeParse(options.template);
  if (template && !template.success) throw new UsageError(`--template ${options.template}: expected one of ${IntentTemplateNameSchema.options.join(", ")}`);
  if (!options.inputSchema && !template) throw new UsageError("pass --input-schema <file> or --template <messages|tickets|contacts|files>");
  // Files are read before any request, so a bad file changes nothing.
  const inputSchema = options.inputSchema ? await readJsonArgument(context, options.inputSchema, { plainPath: true }) : undefined;
  const outputSchema = options.outputSchema ? await readJsonArgument(context, options.outputSchema, { plainPath: true }) : undefined;
  return (await context.client()).call(routes.createIntent, {
    body: {
      name: options.name,
      failOnBreaking: options.failOnBreaking,
      ...(template?.data ? { template: template.data } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
      ...(inputSchema !== undefined ? { inputSchema: inputSchema as Record<string, unknown> } : {}),
      ...(outputSchema !== undefined ? { outputSchema: outputSchema as Record<string, unknown> } : {}),
    },
  });
}

export function render(intent: CreatedIntent, io: IO): void {
  if (!intent.created) {
    io.out(`${intent.name} version ${intent.version} already has these schemas; nothing added.`);
    return;
  }
  const breaking = intent.changes.filter((change) => change.severity === "breaking");
  io.out(`Created ${intent.name} version ${intent.version}.${breaking.length > 0 ? ` ${breaking.length} breaking change(s) from version ${intent.version - 1}:` : ""}`);
  for (const change of breaking) io.out(`  ${change.message}`);
  if (intent.version > 1) io.out(`Bindings belong to a version: bind providers to version ${intent.version} with \`waygate intents bind ${intent.name} <integration> <action> --mapping map.json\`.`);
}
