import { readFile } from "node:fs/promises";
import { AppIntegrationSettingsSchema, routes, type AppIntegrationSettings } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export interface SettingsOptions {
  app: string;
  integration: string;
  validation?: string;
  mappings?: string;
}

/** Shows the settings, or changes the ones given (the others keep their current value). */
export async function run(context: Context, options: SettingsOptions): Promise<AppIntegrationSettings> {
  const client = await context.client();
  const params = { app: options.app, slug: options.integration };
  const current = await client.call(routes.getAppSettings, { params });
  if (options.validation === undefined && options.mappings === undefined) return current;
  let mappings = current.mappings;
  if (options.mappings !== undefined) {
    const text = await readFile(options.mappings, "utf8").catch(() => {
      throw new UsageError(`cannot read ${options.mappings}`);
    });
    try {
      mappings = JSON.parse(text) as AppIntegrationSettings["mappings"];
    } catch (error) {
      throw new CliError(`${options.mappings} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const parsed = AppIntegrationSettingsSchema.safeParse({ validation: options.validation ?? current.validation, mappings });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`invalid settings: ${issue?.path.join(".") || "settings"}: ${issue?.message}`);
  }
  return client.call(routes.setAppSettings, { params, body: parsed.data });
}

export function render(settings: AppIntegrationSettings, io: IO): void {
  io.out(`Response validation: ${settings.validation}`);
  if (settings.mappings.length === 0) io.out("Field mappings: none");
  else {
    io.out("Field mappings, in order:");
    for (const mapping of settings.mappings) io.out(mapping.op === "drop" ? `  drop   ${mapping.path}` : `  ${mapping.op.padEnd(6)} ${mapping.from} → ${mapping.to}`);
  }
}
