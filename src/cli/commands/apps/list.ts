import { routes, type App } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context): Promise<{ data: App[] }> {
  return (await context.client()).call(routes.listApps);
}

export function render(result: { data: App[] }, io: IO): void {
  if (result.data.length === 0) io.out("No apps yet. Create one with `waygate apps create <name>`.");
  else table(io, [{ header: "NAME", keep: true }, { header: "ID", keep: true }, "KEYS", "PINS", "CREATED"], result.data.map((a) => [a.name, a.id, a.keyCount, a.pinCount, a.createdAt.slice(0, 10)]));
}
