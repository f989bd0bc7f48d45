import { ActionDefinitionSchema, HttpMethodSchema } from "../contract/integrations.js";
import type { ActionDefinition } from "../contract/integrations.js";
import type { Context } from "./context.js";
import { ImportFailure } from "./problem.js";
import type { LlmConfig } from "./types.js";
import { isRecord } from "./util.js";
import type { JsonObject } from "./util.js";

export interface LlmExtraction {
  baseUrl?: string | undefined;
  actions: ActionDefinition[];
}

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

/** The chat-completions endpoint for a configured URL (a base …/v1 or the full endpoint). */
export function chatCompletionsUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return /\/chat\/completions$/.test(trimmed) ? trimmed : `${trimmed}/chat/completions`;
}

/**
 * Asks an OpenAI-compatible chat-completions endpoint for action definitions in the page
 * text. Every proposed action is validated with the contract's ActionDefinitionSchema;
 * invalid ones are dropped with a warning. Failure of the call itself is a warning too: the
 * heuristics still stand.
 */
export async function extractWithLlm(pageText: string, pageUrl: string | undefined, llm: LlmConfig, ctx: Context): Promise<LlmExtraction | null> {
  const max = ctx.limits.maxLlmInputChars;
  const text = pageText.length > max ? pageText.slice(0, max) : pageText;
  if (pageText.length > max) ctx.warnings.add("llm_input_truncated", `page text cut from ${pageText.length} to ${max} characters for the LLM (maxLlmInputChars)`);
  const endpoint = chatCompletionsUrl(llm.url);
  let reply: unknown;
  try {
    reply = await ctx.fetcher.postJson(
      endpoint,
      {
        model: llm.model,
        temperature: 0,
        response_format: { type: "json_object" },
        messages: [
          { role: "system", content: SYSTEM_PROMPT },
          { role: "user", content: `${pageUrl ? `Page URL: ${pageUrl}\n\n` : ""}${text}` },
        ],
      },
      llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {},
      ctx.limits.llmTimeoutMs,
    );
  } catch (error) {
    if (error instanceof ImportFailure) {
      if (error.problem.code === "aborted") throw error;
      ctx.warnings.add("llm_failed", `LLM extraction failed: ${error.problem.message}`, { source: endpoint });
      return null;
    }
    throw error;
  }
  const content = messageContent(reply);
  if (content === undefined) {
    ctx.warnings.add("llm_failed", "LLM reply has no choices[0].message.content", { source: endpoint });
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.replace(/^\s*```(?:json)?\s*/i, "").replace(/\s*```\s*$/, ""));
  } catch {
    ctx.warnings.add("llm_failed", "LLM reply content is not JSON", { source: endpoint });
    return null;
  }
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
  ctx.warnings.add("llm_used", `${actions.length} of ${list.length} actions proposed by the LLM (${llm.model}) were accepted; review them`, { source: endpoint });
  return { baseUrl, actions };
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
