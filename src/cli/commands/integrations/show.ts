import { describeAuthScheme, routes, type IntegrationDetail } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";

export interface ShowOptions {
  slug: string;
}

export async function run(context: Context, options: ShowOptions): Promise<IntegrationDetail> {
  const client = await context.client();
  return client.call(routes.getIntegration, { params: { slug: options.slug } });
}

export function render(integration: IntegrationDetail, io: IO): void {
  details(io, [
    ["Slug", integration.slug],
    ["Name", integration.name],
    ["Description", integration.description],
    ["Base URL", integration.baseUrl],
    ["Auth", integration.authTypeUnverified ? `${integration.authType} (unverified: the docs declare no auth)` : integration.authType],
    ["Current version", integration.currentVersion],
    ["Versions", integration.versionCount],
    ["Actions", integration.actionCount],
    ["Created", integration.createdAt],
    ["Updated", integration.updatedAt],
  ]);
  for (const scheme of integration.authSchemes) io.out(`  auth scheme: ${describeAuthScheme(scheme)}`);
}
