import { routes, type Version } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context, options: { integration: string }): Promise<{ data: Version[] }> {
  return (await context.client()).call(routes.listVersions, { params: { slug: options.integration } });
}

export function render(result: { data: Version[] }, io: IO): void {
  table(
    io,
    [{ header: "VERSION", keep: true }, { header: "STATUS", keep: true }, { header: "ACTIONS", keep: true }, { header: "CREATED", keep: true }, "BY", "CHANGES"],
    result.data.map((v) => [v.current ? `${v.version} (current)` : v.version, v.status, v.actionCount, v.createdAt.slice(0, 16).replace("T", " "), v.createdBy, v.changelog]),
  );
}
