import { BaseUrlSchema, routes, type CreatedIntegration } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export interface SetBaseUrlOptions {
  slug: string;
  url: string;
}

/** A new current version pointing at `url`: one spec, many self-hosted deployments. */
export async function run(context: Context, options: SetBaseUrlOptions): Promise<CreatedIntegration> {
  // Checked here too, so that a typo fails before any request, with the rule it broke.
  const checked = BaseUrlSchema.safeParse(options.url);
  if (!checked.success) throw new UsageError(`${JSON.stringify(options.url)} ${checked.error.issues[0]?.message ?? "is not a valid base URL"}`);
  return (await context.client()).call(routes.setBaseUrl, { params: { slug: options.slug }, body: { baseUrl: checked.data } });
}

export function render(result: CreatedIntegration, io: IO): void {
  const { slug, baseUrl } = result.integration;
  io.out(
    result.created
      ? `${slug} version ${result.version} sends requests to ${baseUrl}; it is current (apps pinned to earlier versions stay on them).`
      : `${slug} already sends requests to ${baseUrl} (version ${result.version}).`,
  );
}
