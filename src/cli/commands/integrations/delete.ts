import { routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { confirmDestructive } from "../confirm.js";

export interface DeleteOptions {
  slug: string;
}

export interface DeleteResult {
  deleted: string;
}

export async function run(context: Context, options: DeleteOptions): Promise<DeleteResult> {
  const client = await context.client();
  // Fetch first so a typo fails with "not found" before anyone is asked to confirm.
  const integration = await client.call(routes.getIntegration, { params: { slug: options.slug } });
  await confirmDestructive(
    context,
    `Delete ${integration.slug} with its ${integration.versionCount} version(s)? Apps using it will stop working.`,
  );
  await client.call(routes.deleteIntegration, { params: { slug: options.slug } });
  return { deleted: options.slug };
}

export function render(result: DeleteResult, io: IO): void {
  io.out(`Deleted ${result.deleted}.`);
}
