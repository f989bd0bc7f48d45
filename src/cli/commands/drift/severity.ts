import { routes, SeverityOverridesSchema, type SeverityOverrides } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export interface DriftSeverityOptions {
  integration: string;
  /** `kind=level`, as given: merged into the integration's current levels. */
  set: string[];
  /** Remove every level first. */
  clear: boolean;
}

/** Shows the integration's severity levels, or changes them (`--set kind=level`, `--clear`). */
export async function run(context: Context, options: DriftSeverityOptions): Promise<SeverityOverrides> {
  const client = await context.client();
  const params = { slug: options.integration };
  if (options.set.length === 0 && !options.clear) return client.call(routes.getDriftSeverity, { params });
  const levels: Record<string, string> = options.clear ? {} : { ...(await client.call(routes.getDriftSeverity, { params })) };
  for (const pair of options.set) {
    const equals = pair.indexOf("=");
    if (equals < 1) throw new UsageError(`--set takes kind=level, e.g. description-changed=ignore (got ${JSON.stringify(pair)})`);
    levels[pair.slice(0, equals).trim()] = pair.slice(equals + 1).trim();
  }
  const checked = SeverityOverridesSchema.safeParse(levels);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new UsageError(`--set ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"} (levels: breaking, non-breaking, informational, ignore; kinds as in \`versions diff --json\`)`);
  }
  return client.call(routes.setDriftSeverity, { params, body: checked.data });
}

export function render(levels: SeverityOverrides, io: IO): void {
  const entries = Object.entries(levels);
  if (entries.length === 0) {
    io.out("No severity levels set: drift reports rate changes as the classifier does.");
    return;
  }
  table(io, [{ header: "KIND", keep: true }, { header: "LEVEL", keep: true }], entries.map(([kind, level]) => [kind, level ?? ""]));
}
