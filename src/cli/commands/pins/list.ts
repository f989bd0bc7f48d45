import { routes, type Pin } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context, options: { app: string }): Promise<{ data: Pin[] }> {
  return (await context.client()).call(routes.listPins, { params: { app: options.app } });
}

export function render(result: { data: Pin[] }, io: IO): void {
  if (result.data.length === 0) io.out("No pins: the app follows every integration's current version.");
  else table(io, ["INTEGRATION", "PINNED", "CURRENT", "UPDATED"], result.data.map((p) => [p.integration, p.version, p.currentVersion, p.updatedAt.slice(0, 16).replace("T", " ")]));
}
