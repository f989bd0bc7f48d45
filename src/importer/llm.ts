import { ActionDefinitionSchema, HttpMethodSchema } from "../contract/integrations.js";
import type { ActionDefinition } from "../contract/integrations.js";
import type { Context } from "./context.js";
import { ImportFailure, fail } from "./problem.js";
import type { LlmConfig, LlmPageExtraction, LlmUsage } from "./types.js";
import { isRecord } from "./util.js";
import type { JsonObject } from "./util.js";

export type LlmExtraction = LlmPageExtraction;

const SYSTEM_PROMPT = `You extract HTTP API operations from API documentation text.
Answer with one JSON object and nothing else:
{"baseUrl": "https://api.example.com/v1" or null,
 "actions": [{
   "name": "dotted.camelCase name, e.g. users.create",
   "method": "GET|POST|PUT|PATCH|DELETE",
   "path": "/path/relative/to/baseUrl/{param}",
   "summary": "one line",
   "description": "optional",
   "inputSchema": {"type": "object", "properties": {"<param>": {"type": "string", "description": "...", "x-waygate-in": "path|query|header|body"}}, "required": ["..."]},
   "outputSchema": JSON Schema of the success response body, or null
 }]}
Rules: only operations the text documents; path parameters in {braces}; every inputSchema property has "x-waygate-in"; do not invent endpoints.`;

/** What the model must answer: checked by the endpoint where it supports structured output, and by us in any case. */
export const EXTRACTION_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["baseUrl", "actions"],
  properties: {
    baseUrl: { type: ["string", "null"], description: "The API's base URL, as the text states or its examples show" },
    actions: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "method", "path", "inputSchema"],
        properties: {
          name: { type: "string", description: "dotted.camelCase, e.g. users.create" },
          method: { type: "string", enum: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] },
          path: { type: "string", description: "relative to baseUrl, path parameters in {braces}" },
          summary: { type: "string" },
          description: { type: "string" },
          inputSchema: { type: "object", description: 'JSON Schema object; every property says "x-waygate-in": path, query, header or body' },
          outputSchema: { type: ["object", "null"] },
        },
      },
    },
  },
} as const;

/** Part of every LLM cache key: a new prompt or schema makes earlier answers stale. */
export const LLM_PROMPT_VERSION = "1";

/** How often a rate-limited (429) request is retried, and the longest wait between tries. */
const RATE_LIMIT_RETRIES = 3;
const MAX_RETRY_WAIT_MS = 30_000;
/** An answer that is not the JSON asked for is asked for once more, then the import fails. */
const MALFORMED_RETRIES = 1;

/** The chat-completions endpoint for a configured URL (a base …/v1 or the full endpoint). */
export function chatCompletionsUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return /\/chat\/completions$/.test(trimmed) ? trimmed : `${trimmed}/chat/completions`;
}

/** Anthropic's Messages endpoint for a configured URL (https://api.anthropic.com, …/v1, or the full endpoint). */
export function messagesUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  if (/\/messages$/.test(trimmed)) return trimmed;
  return /\/v1$/.test(trimmed) ? `${trimmed}/messages` : `${trimmed}/v1/messages`;
}

/**
 * One import's conversation with the configured model: structured output against
 * EXTRACTION_SCHEMA (OpenAI-compatible `response_format: json_schema`, or an Anthropic tool
 * whose input is that schema), 429s retried with backoff (honouring Retry-After), and every
 * other failure a clear `llm_failed`: a refused key, a model without structured output, a
 * refusal, answers that stay malformed. Counts tokens as it goes.
 */
export class LlmClient {
  readonly usage: LlmUsage;

  constructor(
    private readonly llm: LlmConfig,
    private readonly ctx: Context,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.usage = { model: llm.model, pagesSent: 0, requests: 0, inputTokens: 0, outputTokens: 0 };
  }

  private get anthropic(): boolean {
    return this.llm.provider === "anthropic";
  }

  get endpoint(): string {
    return this.anthropic ? messagesUrl(this.llm.url) : chatCompletionsUrl(this.llm.url);
  }

  /**
   * The actions in one page's text; throws ImportFailure `llm_failed` when the model cannot
   * give them. A page longer than maxLlmInputChars goes in chunks cut at its headings (each
   * chunk a whole section where it fits), and the chunks' actions are put together.
   */
  async extract(pageText: string, pageUrl: string | undefined): Promise<LlmExtraction> {
    this.usage.pagesSent++;
    const merged: LlmExtraction = { actions: [] };
    for (const chunk of chunks(pageText, this.ctx.limits.maxLlmInputChars)) {
      const part = await this.extractChunk(chunk, pageUrl);
      merged.baseUrl ??= part.baseUrl;
      merged.actions.push(...part.actions);
    }
    return merged;
  }

  private async extractChunk(text: string, pageUrl: string | undefined): Promise<LlmExtraction> {
    const user = `${pageUrl ? `Page URL: ${pageUrl}\n\n` : ""}${text}`;
    const where = pageUrl ?? "the page";
    for (let attempt = 0; ; attempt++) {
      const answer = await this.ask(user, where);
      const parsed = typeof answer === "string" ? parseJsonText(answer) : answer;
      if (parsed !== undefined && (isRecord(parsed) || Array.isArray(parsed))) return this.validate(parsed);
      if (attempt >= MALFORMED_RETRIES) {
        fail("llm_failed", `the LLM (${this.llm.model}) answered ${where} ${attempt + 1} times with something that is not the JSON object asked for; try another model, or import without the LLM`, { source: this.endpoint });
      }
    }
  }

  /** One request, retried while rate-limited; the answer's JSON text (OpenAI) or tool input (Anthropic). */
  private async ask(user: string, where: string): Promise<unknown> {
    const { llm, ctx } = this;
    const endpoint = this.endpoint;
    const body = this.anthropic
      ? {
          model: llm.model,
          max_tokens: 8192,
          temperature: 0,
          system: SYSTEM_PROMPT,
          messages: [{ role: "user", content: user }],
          tools: [{ name: "record_operations", description: "Record the HTTP API operations the documentation describes", input_schema: EXTRACTION_SCHEMA }],
          tool_choice: { type: "tool", name: "record_operations" },
        }
      : {
          model: llm.model,
          temperature: 0,
          response_format: { type: "json_schema", json_schema: { name: "api_operations", schema: EXTRACTION_SCHEMA } },
          messages: [
            { role: "system", content: SYSTEM_PROMPT },
            { role: "user", content: user },
          ],
        };
    const headers: Record<string, string> = this.anthropic
      ? { "anthropic-version": "2023-06-01", ...(llm.apiKey ? { "x-api-key": llm.apiKey } : {}) }
      : llm.apiKey
        ? { authorization: `Bearer ${llm.apiKey}` }
        : {};
    for (let attempt = 0; ; attempt++) {
      ctx.checkAborted();
      this.usage.requests++;
      const answer = await ctx.fetcher.postJson(endpoint, body, headers, ctx.limits.llmTimeoutMs);
      if (answer.status === 429 && attempt < RATE_LIMIT_RETRIES) {
        await this.sleep(retryWait(answer.retryAfter, attempt));
        continue;
      }
      if (answer.status < 200 || answer.status >= 300) failOnStatus(answer.status, answer.text, endpoint, llm.model);
      let reply: unknown;
      try {
        reply = JSON.parse(answer.text);
      } catch {
        fail("llm_failed", `the LLM endpoint answered HTTP ${answer.status} with invalid JSON`, { source: endpoint });
      }
      this.count(reply);
      const refusal = this.anthropic ? anthropicRefusal(reply) : openAiRefusal(reply);
      if (refusal !== undefined) fail("llm_failed", `the LLM (${llm.model}) refused to read ${where}: ${refusal.slice(0, 300)}`, { source: endpoint });
      return this.anthropic ? anthropicToolInput(reply) : messageContent(reply);
    }
  }

  private count(reply: unknown): void {
    const usage = isRecord(reply) && isRecord(reply["usage"]) ? reply["usage"] : {};
    const number = (key: string) => (typeof usage[key] === "number" ? usage[key] : 0);
    this.usage.inputTokens += number("prompt_tokens") + number("input_tokens");
    this.usage.outputTokens += number("completion_tokens") + number("output_tokens");
  }

  /** Every proposed action checked with the contract's ActionDefinitionSchema; invalid ones dropped with a warning. */
  private validate(parsed: unknown): LlmExtraction {
    const { ctx } = this;
    const endpoint = this.endpoint;
    const list = Array.isArray(parsed) ? parsed : isRecord(parsed) && Array.isArray(parsed["actions"]) ? parsed["actions"] : [];
    const actions: ActionDefinition[] = [];
    list.slice(0, ctx.limits.maxOperations).forEach((item, index) => {
      const candidate = normalise(item);
      const result = ActionDefinitionSchema.safeParse(candidate);
      if (!result.success || !validInput(result.data.inputSchema)) {
        const issue = result.success ? "inputSchema must be an object schema whose properties say x-waygate-in" : `${result.error.issues[0]?.path.join(".")}: ${result.error.issues[0]?.message}`;
        ctx.warnings.add("llm_invalid_action", `LLM action #${index} rejected (${issue})`, { source: endpoint, pointer: `/actions/${index}` });
        return;
      }
      actions.push(result.data);
    });
    const baseUrl = isRecord(parsed) && typeof parsed["baseUrl"] === "string" ? parsed["baseUrl"] : undefined;
    ctx.warnings.add("llm_used", `${actions.length} of ${list.length} actions proposed by the LLM (${this.llm.model}) were accepted; review them`, { source: endpoint });
    return { baseUrl, actions };
  }
}

/**
 * One page's actions by the LLM, for the single-page import: a failure of the LLM is a
 * warning there (the heuristics still stand), not the import's end.
 */
export async function extractWithLlm(pageText: string, pageUrl: string | undefined, llm: LlmConfig, ctx: Context): Promise<LlmExtraction | null> {
  const client = new LlmClient(llm, ctx);
  try {
    return await client.extract(pageText, pageUrl);
  } catch (error) {
    if (error instanceof ImportFailure && error.problem.code !== "aborted") {
      ctx.warnings.add("llm_failed", `LLM extraction failed: ${error.problem.message}`, { source: client.endpoint });
      return null;
    }
    throw error;
  }
}

/**
 * Page text in pieces of at most `max` characters, cut before a heading (`\n## `, as
 * readPage writes them) where one is near enough, else at a line end, else anywhere.
 */
export function chunks(text: string, max: number): string[] {
  if (max <= 0 || text.length <= max) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const heading = window.lastIndexOf("\n## ");
    const line = window.lastIndexOf("\n");
    const cut = heading > max / 4 ? heading : line > max / 4 ? line : max;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.trim() !== "") pieces.push(rest);
  return pieces;
}

/** Retry-After in seconds (RFC 9110 §10.2.3; an HTTP date is read too), else exponential from half a second; capped. */
function retryWait(retryAfter: string | undefined, attempt: number): number {
  const seconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
  let wait = Number.isFinite(seconds) ? seconds * 1000 : retryAfter !== undefined && !Number.isNaN(Date.parse(retryAfter)) ? Date.parse(retryAfter) - Date.now() : 500 * 2 ** attempt;
  if (!Number.isFinite(wait) || wait < 0) wait = 0;
  return Math.min(wait, MAX_RETRY_WAIT_MS);
}

function failOnStatus(status: number, text: string, endpoint: string, model: string): never {
  const said = text.replace(/\s+/g, " ").slice(0, 200);
  if (status === 401 || status === 403) {
    fail("llm_failed", `the LLM endpoint refused the API key (HTTP ${status}: ${said}); check WAYGATE_LLM_API_KEY in the Waygate server's configuration (waygate server config)`, { source: endpoint });
  }
  if (status === 429) fail("llm_failed", `the LLM endpoint kept answering HTTP 429 (rate limited) after ${RATE_LIMIT_RETRIES} retries with backoff; try again later or raise the account's limits`, { source: endpoint });
  if (status === 400 && /response_format|json_schema|structured|tool/i.test(text)) {
    fail("llm_failed", `model ${model} does not take structured output (HTTP 400: ${said}); configure a model that supports JSON Schema output (WAYGATE_LLM_MODEL)`, { source: endpoint });
  }
  if (status === 404) fail("llm_failed", `the LLM endpoint answered HTTP 404 (${said}); check WAYGATE_LLM_URL and the model name ${model}`, { source: endpoint });
  fail("llm_failed", `the LLM endpoint answered HTTP ${status}: ${said}`, { source: endpoint });
}

/** The model's JSON, tolerating a Markdown fence around it; undefined when it is not JSON. */
function parseJsonText(content: string): unknown {
  try {
    return JSON.parse(content.replace(/^\s*```(?:json)?\s*/i, "").replace(/\s*```\s*$/, "")) as unknown;
  } catch {
    return undefined;
  }
}

function openAiRefusal(reply: unknown): string | undefined {
  if (!isRecord(reply) || !Array.isArray(reply["choices"])) return undefined;
  const first: unknown = reply["choices"][0];
  if (!isRecord(first) || !isRecord(first["message"])) return undefined;
  const refusal = first["message"]["refusal"];
  return typeof refusal === "string" && refusal !== "" ? refusal : undefined;
}

function anthropicRefusal(reply: unknown): string | undefined {
  if (!isRecord(reply) || reply["stop_reason"] !== "refusal") return undefined;
  const text = Array.isArray(reply["content"]) ? reply["content"].flatMap((block) => (isRecord(block) && typeof block["text"] === "string" ? [block["text"]] : [])).join(" ") : "";
  return text || "stop_reason refusal";
}

function anthropicToolInput(reply: unknown): unknown {
  if (!isRecord(reply) || !Array.isArray(reply["content"])) return undefined;
  const block: unknown = reply["content"].find((item) => isRecord(item) && item["type"] === "tool_use");
  return isRecord(block) ? block["input"] : undefined;
}

function messageContent(reply: unknown): string | undefined {
  if (!isRecord(reply) || !Array.isArray(reply["choices"])) return undefined;
  const first: unknown = reply["choices"][0];
  if (!isRecord(first) || !isRecord(first["message"])) return undefined;
  const content = first["message"]["content"];
  return typeof content === "string" ? content : undefined;
}

/**
 * Light repairs before validation, none of which invents content: method upper-cased,
 * `:param` → `{param}`, a missing `x-waygate-in` filled from the path template and method.
 */
function normalise(item: unknown): unknown {
  if (!isRecord(item)) return item;
  const out: JsonObject = { ...item };
  if (typeof out["method"] === "string") out["method"] = out["method"].toUpperCase();
  if (typeof out["path"] === "string") {
    let path = out["path"].trim().replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
    if (!path.startsWith("/")) path = "/" + path;
    out["path"] = path;
  }
  for (const key of ["summary", "description", "outputSchema"]) if (out[key] === null && key !== "outputSchema") delete out[key];
  const input = out["inputSchema"];
  const method = HttpMethodSchema.safeParse(out["method"]);
  if (isRecord(input) && isRecord(input["properties"])) {
    const pathNames = new Set([...String(out["path"] ?? "").matchAll(/\{([^}]+)\}/g)].map((m) => m[1]));
    const properties: JsonObject = {};
    for (const [name, schema] of Object.entries(input["properties"])) {
      if (name === "__proto__" || !isRecord(schema)) continue;
      const where = schema["x-waygate-in"] ?? (pathNames.has(name) ? "path" : method.success && ["GET", "DELETE", "HEAD"].includes(method.data) ? "query" : "body");
      properties[name] = { ...schema, "x-waygate-in": where };
    }
    out["inputSchema"] = { ...input, type: "object", properties };
  }
  return out;
}

function validInput(schema: Record<string, unknown>): boolean {
  if (schema["type"] !== "object") return false;
  const properties = schema["properties"];
  if (properties === undefined) return true;
  if (!isRecord(properties)) return false;
  return Object.values(properties).every((p) => isRecord(p) && ["path", "query", "header", "cookie", "body"].includes(p["x-waygate-in"] as string));
}
