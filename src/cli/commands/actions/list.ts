import { routes, type ActionSummary, type Page } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import type { IO } from "../../io.js";
import { table } from "../../output.js";
import { collectPages } from "../paging.js";

export interface ListOptions {
  integration: string;
  version?: number;
  search?: string;
  limit?: number;
  cursor?: string;
  all: boolean;
}

export async function run(context: Context, options: ListOptions): Promise<Page<ActionSummary>> {
  const client = await context.client();
  return collectPages(options, (cursor) =>
    client.call(routes.listActions, {
      params: { slug: options.integration },
      query: { version: options.version, search: options.search, limit: options.limit, cursor },
    }),
  );
}

export function render(result: Page<ActionSummary>, io: IO): void {
  if (result.data.length === 0) {
    io.out("No matching actions.");
    return;
  }
  table(
    io,
    [{ header: "ACTION", keep: true }, { header: "METHOD", keep: true }, "PATH", "SUMMARY"],
    result.data.map((a) => [a.deprecated ? `${a.name} (deprecated)` : a.name, a.method, a.path, a.summary]),
  );
  if (result.nextCursor) io.err(`More results: add --cursor ${result.nextCursor}, or --all.`);
}
