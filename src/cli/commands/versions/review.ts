import { reviewItems, routes, type ReviewItem } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export interface ReviewOptions {
  integration: string;
  version: number;
}

export interface ReviewResult {
  integration: string;
  version: number;
  items: ReviewItem[];
}

/** What a person should check in a (scraped) version before publishing it: unverified auth, low-confidence actions and fields. */
export async function run(context: Context, options: ReviewOptions): Promise<ReviewResult> {
  const definition = await (await context.client()).call(routes.getDefinition, { params: { slug: options.integration, version: options.version } });
  return { integration: options.integration, version: options.version, items: reviewItems(definition) };
}

export function render(result: ReviewResult, io: IO): void {
  if (result.items.length === 0) {
    io.out(`Nothing to review in ${result.integration} version ${result.version}: no unverified auth and no low-confidence actions or fields.`);
    return;
  }
  table(
    io,
    [{ header: "SUBJECT", keep: true }, "CONFIDENCE", "DOUBTS", "SOURCE"],
    result.items.map((item) => [item.subject, item.confidence === null ? "-" : item.confidence.toFixed(2), item.doubts.join("; "), item.source ?? ""]),
  );
  const auth = result.items.find((item) => item.kind === "auth");
  if (auth) io.err(`Set the auth with \`${auth.fix}\`.`);
  if (result.items.some((item) => item.kind !== "auth")) io.err(`Fix actions and fields with \`waygate integrations edit ${result.integration}\`, then \`waygate versions publish ${result.integration} <version>\`.`);
}
