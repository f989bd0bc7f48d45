import { routes, type BatchItem } from "../../../contract/index.js";
import type { Context } from "../../context.js";

export interface ResultsOptions {
  id: string;
  failed: boolean;
  format: "jsonl" | "csv";
}

const CSV_COLUMNS = ["seq", "state", "upstreamStatus", "attempts", "connection", "idempotencyKey", "error", "result"] as const;

/** Streams the items page by page to stdout as they arrive: a 100 000-item batch is never held whole. */
export async function run(context: Context, options: ResultsOptions): Promise<{ items: number }> {
  const client = await context.client();
  const { io } = context;
  if (options.format === "csv") io.out(CSV_COLUMNS.join(","));
  let cursor: string | undefined;
  let items = 0;
  do {
    const page = await client.call(routes.listBatchResults, { params: { batchId: options.id }, query: { limit: 1000, cursor, ...(options.failed ? { state: "failed" as const } : {}) } });
    for (const item of page.data) io.out(options.format === "csv" ? csvLine(item) : JSON.stringify(item));
    items += page.data.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { items };
}

/** The lines went out as they came; `--json` adds nothing beyond them. */
export function render(): void {}

function csvLine(item: BatchItem): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    seq: item.seq,
    state: item.state,
    upstreamStatus: item.upstreamStatus,
    attempts: item.attempts,
    connection: item.connection,
    idempotencyKey: item.idempotencyKey,
    error: item.error ? (item.error.detail ?? item.error.title) : null,
    result: item.result === null ? null : JSON.stringify(item.result),
  };
  return CSV_COLUMNS.map((column) => csvCell(cells[column])).join(",");
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
