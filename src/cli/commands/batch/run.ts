import { readFile } from "node:fs/promises";
import path from "node:path";
import { MAX_BATCH_ITEMS, routes, type Batch, type BatchDryRun } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { CliError, ExitCode, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { followBatch, progressLine } from "./follow.js";
import { readItems } from "./items.js";

export interface RunOptions {
  integration: string;
  action: string;
  /** A .jsonl/.ndjson or .csv file. */
  items: string;
  format?: "jsonl" | "csv";
  connection?: string;
  userField?: string;
  app?: string;
  concurrency?: number;
  stopOnErrorRatio?: number;
  dryRun: boolean;
  /** Start the batch and return without following it. */
  detach: boolean;
}

export type RunResult = Batch | BatchDryRun;

/** Reads and checks every line of the file first: a malformed line is reported (all of them, with numbers) before anything is sent. */
export async function run(context: Context, options: RunOptions): Promise<RunResult> {
  if (options.connection && options.userField) throw new UsageError("pass --connection or --user-field, not both");
  const format = options.format ?? formatOf(options.items);
  let text: string;
  try {
    text = await readFile(options.items, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --items ${options.items}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const read = readItems(text, { format, userField: options.userField });
  if (read.kind === "malformed") {
    const lines = read.errors.map((error) => `  line ${error.line}: ${error.message}`).join("\n");
    throw new UsageError(`${options.items} has malformed lines; nothing was sent:\n${lines}`);
  }
  if (read.items.length === 0) throw new UsageError(`${options.items} holds no items`);
  if (read.items.length > MAX_BATCH_ITEMS) throw new UsageError(`${options.items} holds ${read.items.length} items; a batch takes at most ${MAX_BATCH_ITEMS}`);
  const client = await context.client();
  const created = await client.call(routes.createBatch, {
    headers: options.app ? { "x-waygate-app": options.app } : {},
    body: {
      integration: options.integration,
      action: options.action,
      ...(options.connection ? { connection: options.connection } : {}),
      items: read.items,
      options: {
        dryRun: options.dryRun,
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options.stopOnErrorRatio !== undefined ? { stopOnErrorRatio: options.stopOnErrorRatio } : {}),
      },
    },
  });
  if ("dryRun" in created || options.detach) return created;
  if (!context.globals.json) context.io.err(`Started batch ${created.id} (${created.counts.total} items).`);
  return followBatch(context, client, created);
}

export function render(result: RunResult, io: IO): void {
  if ("dryRun" in result) io.out(`All ${result.items} items are valid for ${result.integration} ${result.action} (version ${result.version}); nothing was sent.`);
  else io.out(progressLine(result));
}

function formatOf(file: string): "jsonl" | "csv" {
  const extension = path.extname(file).toLowerCase();
  if (extension === ".csv") return "csv";
  if (extension === ".jsonl" || extension === ".ndjson") return "jsonl";
  throw new CliError(`cannot tell the format of ${file} from its name: use .jsonl or .csv, or pass --format`, ExitCode.usage);
}
