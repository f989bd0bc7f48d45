import { SlugSchema } from "../../../contract/index.js";
import { UsageError } from "../../errors.js";

/**
 * The `integrations` query of `GET /v1/sdk/manifest`: which integrations to generate, at
 * which versions. waygate.json's entries pin exact versions; `--integrations` narrows
 * them, and may only name slugs waygate.json has (generating another version than the
 * one pinned would defeat the pin). Without entries, the slugs go as they are and each
 * resolves to the app's version (its pin, else current). Undefined means "everything".
 */
export function manifestSelection(
  pinned: Readonly<Record<string, number>>,
  only: readonly string[] | undefined,
  projectFile: string | undefined,
): string | undefined {
  const entries = Object.entries(pinned).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (only === undefined) return entries.length > 0 ? entries.map(([slug, version]) => `${slug}@${version}`).join(",") : undefined;
  const wanted = [...new Set(only)];
  if (wanted.length === 0) throw new UsageError("--integrations needs at least one integration slug, e.g. --integrations github,slack");
  for (const slug of wanted) {
    if (!SlugSchema.safeParse(slug).success) {
      throw new UsageError(
        `--integrations: ${JSON.stringify(slug)} is not an integration slug (lowercase letters, digits and dashes` +
          `${slug.includes("@") ? "; pin versions in waygate.json with `waygate pin … --save`" : ""})`,
      );
    }
  }
  if (entries.length === 0) return wanted.join(",");
  const missing = wanted.filter((slug) => !Object.hasOwn(pinned, slug));
  if (missing.length > 0) {
    throw new UsageError(
      `--integrations: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not in ${projectFile ?? "waygate.json"}, ` +
        `which lists ${entries.map(([slug]) => slug).join(", ")}; add ${missing.length === 1 ? "it" : "them"} with \`waygate pin <app> <slug>@<version> --save\``,
    );
  }
  return entries
    .filter(([slug]) => wanted.includes(slug))
    .map(([slug, version]) => `${slug}@${version}`)
    .join(",");
}
