import { readFile } from "node:fs/promises";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../errors.js";

/** A JSON argument: inline JSON, `@file` (or a plain file path where `plainPath`), or `-` for stdin. */
export async function readJsonArgument(context: Context, value: string, options: { plainPath?: boolean; what?: string } = {}): Promise<unknown> {
  const fromFile = value.startsWith("@") ? value.slice(1) : options.plainPath ? value : undefined;
  const source = value === "-" ? "stdin" : (fromFile ?? options.what ?? "--input");
  let text: string;
  if (value === "-") text = await context.io.readStdin();
  else if (fromFile !== undefined)
    text = await readFile(fromFile, "utf8").catch(() => {
      throw new UsageError(`cannot read ${fromFile}`);
    });
  else text = value;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}
