import { routes, type Integration } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";
import { collectPages } from "../paging.js";

export interface ListOptions {
  search?: string;
  limit?: number;
  cursor?: string;
  all: boolean;
}

export interface ListResult {
  data: Integration[];
  nextCursor: string | null;
}

export async function run(context: Context, options: ListOptions): Promise<ListResult> {
  const client = await context.client();
  return collectPages(options, (cursor) =>
    client.call(routes.listIntegrations, { query: { search: options.search, limit: options.limit, cursor } }),
  );
}

export function render(result: ListResult, io: IO): void {
  if (result.data.length === 0) {
    io.out("No integrations yet. Create one with `waygate integrations create <definition.json>`.");
    return;
  }
  table(
    io,
    [{ header: "SLUG", keep: true }, "NAME", "VERSION", "ACTIONS", "AUTH", "UPDATED"],
    result.data.map((i) => [
      i.slug,
      i.name,
      i.currentVersion,
      i.actionCount,
      i.authTypeUnverified ? `${i.authType} (unverified)` : i.authType,
      i.updatedAt.slice(0, 10),
    ]),
  );
  if (result.nextCursor) io.err(`More results: add --cursor ${result.nextCursor}, or --all.`);
}
