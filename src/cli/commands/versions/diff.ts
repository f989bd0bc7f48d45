import { routes, type VersionDiff } from "../../../contract/index.js";
import { formatDiff } from "../../../versioning/format.js";
import type { Context } from "../../context.js";
import { ConflictError } from "../../errors.js";
import { style, type IO } from "../../io.js";

export interface DiffOptions {
  integration: string;
  from: number;
  to: number;
  failOnBreaking: boolean;
}

export async function run(context: Context, options: DiffOptions): Promise<VersionDiff> {
  const diff = await (await context.client()).call(routes.diffVersions, {
    params: { slug: options.integration },
    query: { from: options.from, to: options.to },
  });
  if (options.failOnBreaking && diff.breaking) {
    // Still show what broke: the diff is the evidence the CI log needs.
    if (context.globals.json) context.io.out(JSON.stringify(diff, null, 2));
    else render(diff, context.io);
    throw new ConflictError(`${diff.summary.breaking} breaking change(s) between ${options.integration} versions ${options.from} and ${options.to}`);
  }
  return diff;
}

export function render(diff: VersionDiff, io: IO): void {
  const lines = formatDiff(diff);
  if (lines.length === 0) {
    io.out(`No changes between versions ${diff.from} and ${diff.to}.`);
    return;
  }
  for (const line of lines) {
    const colour = line.startsWith("+") ? "green" : line.includes("(breaking)") ? "red" : line.startsWith("-") ? "red" : "yellow";
    io.out(style(io, colour, line));
  }
  const { added, removed, changed, breaking } = diff.summary;
  io.out(`\n${added} added, ${removed} removed, ${changed} changed; ${breaking ? style(io, "red", `${breaking} breaking`) : "no breaking changes"}.`);
}
