import { describeAuthScheme, routes, type IntegrationDetail } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";

export interface ShowOptions {
  slug: string;
  /** Print the whole description instead of its first paragraph (`--json` always has it whole). */
  full?: boolean;
}

/** Results shown with `--full`: render() only gets the value, and the JSON output must stay the API's resource. */
const shownInFull = new WeakSet<IntegrationDetail>();

export async function run(context: Context, options: ShowOptions): Promise<IntegrationDetail> {
  const client = await context.client();
  const integration = await client.call(routes.getIntegration, { params: { slug: options.slug } });
  if (options.full) shownInFull.add(integration);
  return integration;
}

/**
 * The first paragraph of a description, whitespace collapsed: imported descriptions run to
 * pages (Stripe's, Slack's), and `show` is a summary. Says how to see the rest.
 */
export function firstParagraph(description: string | null): string | null {
  if (description === null) return null;
  const paragraphs = description.trim().split(/\n\s*\n/);
  const first = (paragraphs[0] ?? "").replace(/\s+/g, " ").trim();
  const cut = first.length > 400 ? first.slice(0, 399).trimEnd() + "…" : first;
  return paragraphs.length > 1 || cut !== first ? `${cut} (more with --full)` : cut;
}

export function render(integration: IntegrationDetail, io: IO): void {
  details(io, [
    ["Slug", integration.slug],
    ["Name", integration.name],
    ["Description", shownInFull.has(integration) ? integration.description : firstParagraph(integration.description)],
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
