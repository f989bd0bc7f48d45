import { routes, type IntentResult } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { readJsonArgument } from "../json-argument.js";

export interface TestIntentOptions {
  name: string;
  input: string;
  user?: string;
  provider?: string;
  app?: string;
  fallback: boolean;
  extras?: string;
  idempotencyKey?: string;
}

export async function run(context: Context, options: TestIntentOptions): Promise<IntentResult> {
  const input = await readJsonArgument(context, options.input);
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new UsageError("--input must be a JSON object (the intent's canonical input)");
  const extras = options.extras === undefined ? undefined : await readJsonArgument(context, options.extras, { what: "--extras" });
  return (await context.client()).call(routes.invokeIntent, {
    params: { name: options.name },
    headers: { ...(options.app ? { "x-waygate-app": options.app } : {}), ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}) },
    body: {
      input: input as Record<string, unknown>,
      fallback: options.fallback,
      ...(options.user !== undefined ? { user: options.user } : {}),
      ...(options.provider !== undefined ? { provider: options.provider } : {}),
      ...(extras !== undefined ? { extras: extras as Record<string, Record<string, unknown>> } : {}),
    },
  });
}

export function render(result: IntentResult, io: IO): void {
  for (const fallback of result.fallbacks) io.err(`${fallback.provider} failed (${fallback.status ?? "no answer"}): ${fallback.detail}; fell back.`);
  io.out(`Ran ${result.provider} ${result.action} (integration version ${result.integrationVersion}, chosen by ${result.selectedBy}).`);
  if (result.unsupported.length > 0) io.out(`${result.provider} could not honour: ${result.unsupported.join(", ")}`);
  for (const warning of result.warnings) io.err(`warning: ${warning}`);
  io.out(`output: ${JSON.stringify(result.output, null, 2)}`);
  io.out(`raw: ${JSON.stringify(result.raw, null, 2)}`);
}
