import { readFile } from "node:fs/promises";
import { request } from "undici";
import type { Context } from "../../context.js";
import { CliError, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export interface InvokeOptions {
  integration: string;
  action: string;
  input: string;
  connection?: string;
  user?: string;
  app?: string;
  paginate: boolean;
  maxPages?: number;
  idempotencyKey?: string;
}

export interface InvokeResult {
  status: number;
  versionExecuted: number | null;
  attempts: number | null;
  nextPage: string | null;
  warnings: string[];
  body: unknown;
}

/**
 * The gateway answers with the upstream's own status and body, not a contract shape, so
 * this command speaks HTTP itself rather than through the typed client.
 */
export async function run(context: Context, options: InvokeOptions): Promise<InvokeResult> {
  if (options.connection && options.user) throw new UsageError("pass --connection or --user, not both");
  const input = await readInput(context, options.input);
  const target = await context.target();
  const client = await context.client();
  const headers: Record<string, string> = { authorization: `Bearer ${target.apiKey}`, "content-type": "application/json", accept: "application/json" };
  if (options.app) headers["x-waygate-app"] = options.app;
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  const body = {
    input,
    ...(options.connection || options.user ? { connection: options.connection ?? options.user } : {}),
    paginate: options.paginate ? (options.maxPages ? { maxPages: options.maxPages } : true) : false,
  };
  const url = `${client.baseUrl}/v1/invoke/${encodeURIComponent(options.integration)}/${encodeURIComponent(options.action)}`;
  let response;
  try {
    response = await request(url, { method: "POST", headers, body: JSON.stringify(body), dispatcher: await context.dispatcher() });
  } catch (error) {
    const { NetworkError } = await import("../../../client/index.js");
    throw new NetworkError(`cannot reach the Waygate API at ${client.baseUrl}: ${(error as Error).message}`, (error as { code?: string }).code, { cause: error });
  }
  const text = await response.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  const header = (name: string) => {
    const value = response.headers[name];
    return Array.isArray(value) ? value : value === undefined ? [] : [value];
  };
  const result: InvokeResult = {
    status: response.statusCode,
    versionExecuted: header("x-waygate-version-executed")[0] ? Number(header("x-waygate-version-executed")[0]) : null,
    attempts: header("x-waygate-attempts")[0] ? Number(header("x-waygate-attempts")[0]) : null,
    nextPage: header("x-waygate-next-page")[0] ?? null,
    warnings: header("x-waygate-warning"),
    body: parsed,
  };
  if (response.statusCode >= 400) {
    const problem = parsed as { title?: string; detail?: string; status?: number; type?: string };
    const { ApiError } = await import("../../../client/index.js");
    throw new ApiError(response.statusCode, {
      type: problem?.type ?? "about:blank",
      title: problem?.title ?? `HTTP ${response.statusCode}`,
      status: response.statusCode,
      ...(problem?.detail ? { detail: problem.detail } : {}),
      ...(typeof parsed === "object" && parsed !== null ? parsed : {}),
    });
  }
  for (const warning of result.warnings) context.io.err(`warning: ${warning}`);
  return result;
}

async function readInput(context: Context, value: string): Promise<unknown> {
  const source = value === "-" ? "stdin" : value.startsWith("@") ? value.slice(1) : "--input";
  let text: string;
  if (value === "-") text = await context.io.readStdin();
  else if (value.startsWith("@")) text = await readFile(value.slice(1), "utf8").catch(() => {
    throw new UsageError(`cannot read ${value.slice(1)}`);
  });
  else text = value;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

export function render(result: InvokeResult, io: IO): void {
  io.out(typeof result.body === "string" ? result.body : JSON.stringify(result.body, null, 2));
  if (result.nextPage) io.err(`More: the next page token is in --json output (nextPage); or use --paginate.`);
}
