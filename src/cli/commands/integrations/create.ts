import { routes, type CreatedIntegration } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { readDefinitionFile } from "./definition-file.js";

export interface CreateOptions {
  /** A path, or "-" for stdin. */
  file: string;
  draft?: boolean;
}

export async function run(context: Context, options: CreateOptions): Promise<CreatedIntegration> {
  const definition = await readDefinitionFile(context, options.file);
  const client = await context.client();
  return client.call(routes.createIntegration, { body: definition, query: { draft: options.draft ? "true" : "false" } });
}

export function render(result: CreatedIntegration, io: IO): void {
  const { slug, actionCount } = result.integration;
  io.out(
    result.created
      ? `Created ${slug} version ${result.version} with ${actionCount} action${actionCount === 1 ? "" : "s"}.`
      : `${slug} is unchanged: version ${result.version} already has this content.`,
  );
}
