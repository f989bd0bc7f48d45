import { readFile } from "node:fs/promises";
import { IntegrationDefinitionSchema, type IntegrationDefinition } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";

/**
 * Reads an integration definition from a file ("-" for stdin) and checks it against the
 * contract, so a bad file fails with its path and the fields at fault before any request.
 */
export async function readDefinitionFile(context: Context, file: string): Promise<IntegrationDefinition> {
  const source = file === "-" ? "stdin" : file;
  let text: string;
  try {
    text = file === "-" ? await context.io.readStdin() : await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  return parseDefinition(text, source);
}

export function parseDefinition(text: string, source: string): IntegrationDefinition {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = IntegrationDefinitionSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new CliError(`${source} is not a valid integration definition:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
