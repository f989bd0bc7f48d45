import { routes, type ApiKey } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";

export async function run(context: Context): Promise<{ data: ApiKey[] }> {
  return (await context.client()).call(routes.listKeys);
}

export function render(result: { data: ApiKey[] }, io: IO): void {
  table(
    io,
    [{ header: "ID", keep: true }, "NAME", { header: "PREFIX", keep: true }, { header: "CREATED", keep: true }, { header: "LAST USED", keep: true }, { header: "STATUS", keep: true }],
    result.data.map((k) => [k.id, k.name, `${k.prefix}…`, k.createdAt.slice(0, 10), k.lastUsedAt?.slice(0, 16).replace("T", " "), k.revokedAt ? "revoked" : "active"]),
  );
}
