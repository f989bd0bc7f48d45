import { routes, type IntegrationEvent } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context, options: { integration: string }): Promise<{ data: IntegrationEvent[] }> {
  return (await context.client()).call(routes.history, { params: { slug: options.integration } });
}

export function render(result: { data: IntegrationEvent[] }, io: IO): void {
  table(
    io,
    [{ header: "WHEN", keep: true }, { header: "EVENT", keep: true }, { header: "VERSION", keep: true }, { header: "BY", keep: true }, "NOTE"],
    result.data.map((event) => [
      event.createdAt.slice(0, 19).replace("T", " "),
      event.kind,
      event.previousVersion !== null && (event.kind === "published" || event.kind === "rollback") ? `${event.previousVersion} → ${event.version}` : event.version,
      event.actor,
      event.note ?? "",
    ]),
  );
}
