import path from "node:path";
import { routes, type ToolList } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { writeFileAtomic } from "../../fs-atomic.js";
import type { IO } from "../../io.js";

export interface ExportOptions {
  format: ToolList["format"];
  app?: string;
  integrations?: string;
  actions?: string;
  tags?: string;
  intents?: "include" | "replace" | "exclude";
  out?: string;
}

export interface ExportResult {
  format: ToolList["format"];
  count: number;
  /** The file written, absolute; absent when the document goes to stdout. */
  out?: string;
  /** What is written: the provider's `tools` array, or an MCP tools/list result. */
  document: unknown;
}

/** The same selection rules as GET /v1/tools, which does the work. */
export async function run(context: Context, options: ExportOptions): Promise<ExportResult> {
  const list = await (await context.client()).call(routes.listTools, {
    query: { format: options.format, app: options.app, integrations: options.integrations, actions: options.actions, tags: options.tags, ...(options.intents ? { intents: options.intents } : {}) },
  });
  const document = options.format === "mcp" ? { tools: list.tools } : list.tools;
  if (options.out === undefined) return { format: list.format, count: list.count, document };
  const file = path.resolve(options.out);
  await writeFileAtomic(file, JSON.stringify(document, null, 2) + "\n", 0o644);
  return { format: list.format, count: list.count, out: file, document };
}

export function render(result: ExportResult, io: IO): void {
  if (result.out === undefined) io.out(JSON.stringify(result.document, null, 2));
  else io.err(`Wrote ${result.count} ${result.format} tool${result.count === 1 ? "" : "s"} to ${result.out}`);
}
