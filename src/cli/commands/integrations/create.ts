import { readFile } from "node:fs/promises";
import { IntegrationDefinitionSchema, routes, type CreatedIntegration } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export interface CreateOptions {
  /** A path, or "-" for stdin. */
  file: string;
  draft?: boolean;
}

export async function run(context: Context, options: CreateOptions): Promise<CreatedIntegration> {
  const source = options.file === "-" ? "stdin" : options.file;
  let text: string;
  try {
    text = options.file === "-" ? await context.io.readStdin() : await readFile(options.file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  // Checked here too so a bad file fails with its path before any request is made.
  const parsed = IntegrationDefinitionSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new CliError(`${source} is not a valid integration definition:\n${lines.join("\n")}`);
  }
  const client = await context.client();
  return client.call(routes.createIntegration, { body: parsed.data, query: { draft: options.draft ? "true" : "false" } });
}

export function render(result: CreatedIntegration, io: IO): void {
  const { slug, actionCount } = result.integration;
  io.out(
    result.created
      ? `Created ${slug} version ${result.version} with ${actionCount} action${actionCount === 1 ? "" : "s"}.`
      : `${slug} is unchanged: version ${result.version} already has this content.`,
  );
}
