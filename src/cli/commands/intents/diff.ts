import { routes, type RouteOutput } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";

type IntentDiff = RouteOutput<typeof routes.diffIntent>;

export async function run(context: Context, options: { name: string; from: number; to: number }): Promise<IntentDiff> {
  return (await context.client()).call(routes.diffIntent, { params: { name: options.name }, query: { from: options.from, to: options.to } });
}

export function render(diff: IntentDiff, io: IO): void {
  if (diff.changes.length === 0) io.out(`${diff.intent} ${diff.from} → ${diff.to}: no changes to the canonical schemas.`);
  else io.out(`${diff.intent} ${diff.from} → ${diff.to}: ${diff.breaking ? "BREAKING" : "not breaking"}`);
  for (const change of diff.changes) io.out(`  [${change.severity}] ${change.message}`);
}
