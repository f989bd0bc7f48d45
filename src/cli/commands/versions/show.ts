import { routes, type Version } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { details } from "../../output.js";

export async function run(context: Context, options: { integration: string; version: number }): Promise<Version> {
  return (await context.client()).call(routes.getVersion, { params: { slug: options.integration, version: options.version } });
}

export function render(v: Version, io: IO): void {
  details(io, [
    ["Integration", v.integration],
    ["Version", v.current ? `${v.version} (current)` : v.version],
    ["Status", v.status],
    ["Actions", v.actionCount],
    ["Content hash", v.contentHash],
    ["Created", `${v.createdAt} by ${v.createdBy}`],
    ["Published", v.publishedAt],
    ["Changes", v.changelog],
  ]);
}
