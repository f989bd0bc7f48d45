import { InvokeResponseHeaders as Res, ProblemSchema, routes, type Problem } from "../../../contract/index.js";
import { ApiError, type RawAnswer } from "../../../client/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { readJsonArgument } from "../json-argument.js";

export interface InvokeOptions {
  integration: string;
  action: string;
  input: string;
  connection?: string;
  user?: string;
  app?: string;
  paginate: boolean;
  maxPages?: number;
  maxItems?: number;
  /** Continue from a next-page token of an earlier call. */
  page?: string;
  idempotencyKey?: string;
  /** Retries per upstream request after the first attempt. */
  retries?: number;
  /** `Name: value` upstream headers (Accept, If-None-Match, *-Version…). */
  header?: string[];
}

export interface InvokeResult {
  status: number;
  versionExecuted: number | null;
  attempts: number | null;
  nextPage: string | null;
  requestId: string | null;
  warnings: string[];
  /** JSON, text, or (binary) a note of its size and type; with --paginate, every item. */
  body: unknown;
}

/** Pages followed by --paginate unless --max-pages says otherwise. */
const DEFAULT_MAX_PAGES = 50;

/**
 * Calls the invoke route through the API client's `send` (the answer is the upstream's own
 * status and body, not a contract shape). `--paginate` asks for one page of items per call
 * and follows the server's next-page tokens, so no single request has the server collect
 * everything and pagination is decided in one place: the gateway.
 */
export async function run(context: Context, options: InvokeOptions): Promise<InvokeResult> {
  if (options.connection && options.user) throw new UsageError("pass --connection or --user, not both");
  const input = await readJsonArgument(context, options.input);
  const upstreamHeaders = parseHeaders(options.header ?? []);
  const client = await context.client();
  const call = (page: string | undefined) =>
    client.send(routes.invoke, {
      params: { slug: options.integration, action: options.action },
      headers: {
        ...(options.app ? { "x-waygate-app": options.app } : {}),
        ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}),
      },
      body: {
        input,
        ...(options.connection || options.user ? { connection: options.connection ?? options.user } : {}),
        ...(options.retries !== undefined ? { retries: options.retries } : {}),
        ...(upstreamHeaders ? { headers: upstreamHeaders } : {}),
        // One page per call: the server reads the page's items (and maps them), and says where the next one is.
        ...(options.paginate ? { paginate: { maxPages: 1 } } : {}),
        ...(page ? { page } : {}),
      },
    });

  let answer = await call(options.page);
  const first = readAnswer(answer);
  if (!options.paginate) return first;

  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const items: unknown[] = [...itemsOf(first.body)];
  let result = first;
  for (let pages = 1; result.nextPage && pages < maxPages && (options.maxItems === undefined || items.length < options.maxItems); pages++) {
    answer = await call(result.nextPage);
    result = readAnswer(answer);
    items.push(...itemsOf(result.body));
    first.warnings.push(...result.warnings);
  }
  if (options.maxItems !== undefined && items.length > options.maxItems) items.length = options.maxItems;
  return { ...result, warnings: [...new Set(first.warnings)], body: items };
}

/** The answer as the command reports it; an error status becomes the problem it carries. */
function readAnswer(answer: RawAnswer): InvokeResult {
  const type = answer.header("content-type") ?? "";
  const text = answer.text();
  const json = /\bjson\b/i.test(type);
  if (answer.status >= 400) throw problemError(answer, json ? parseJson(text) : text);
  let body: unknown = null;
  if (answer.bytes.length > 0) {
    if (json) body = parseJson(text);
    else if (/^text\/|xml|yaml|javascript|x-www-form-urlencoded/i.test(type)) body = text;
    else body = `(${answer.bytes.length} bytes of ${type || "binary data"})`;
  }
  const number = (name: string) => {
    const value = answer.header(name);
    return value === undefined ? null : Number(value);
  };
  return {
    status: answer.status,
    versionExecuted: number(Res.versionExecuted),
    attempts: number(Res.attempts),
    nextPage: answer.header(Res.nextPage) ?? null,
    requestId: answer.header(Res.requestId) ?? null,
    warnings: answer.headerValues(Res.warning),
    body,
  };
}

function problemError(answer: RawAnswer, body: unknown): ApiError {
  const parsed = ProblemSchema.safeParse(body);
  const problem: Problem = parsed.success
    ? { ...parsed.data, ...(typeof body === "object" && body !== null ? body : {}) }
    : { type: "about:blank", title: `HTTP ${answer.status}`, status: answer.status, ...(typeof body === "string" && body.trim() ? { detail: body.trim().slice(0, 300) } : {}) };
  return new ApiError(answer.status, problem);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function itemsOf(body: unknown): unknown[] {
  return Array.isArray(body) ? body : body === null || body === undefined ? [] : [body];
}

function parseHeaders(lines: string[]): Record<string, string> | undefined {
  if (lines.length === 0) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header ${JSON.stringify(line)}: write it as "Name: value"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export function render(result: InvokeResult, io: IO): void {
  for (const warning of result.warnings) io.err(`warning: ${warning}`);
  io.out(typeof result.body === "string" ? result.body : JSON.stringify(result.body, null, 2));
  if (result.nextPage) io.err(`More: continue with --page ${result.nextPage}, or use --paginate.`);
}
