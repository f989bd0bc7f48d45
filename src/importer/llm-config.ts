import type { LlmConfig } from "./types.js";

/**
 * LLM settings from `WAYGATE_LLM_URL`, `WAYGATE_LLM_API_KEY`, `WAYGATE_LLM_MODEL` and
 * `WAYGATE_LLM_PROVIDER` (`openai`, the default, or `anthropic`); null unless both URL and
 * model are set.
 *
 * @example
 * importDocument(source, { llm: llmConfigFromEnv(process.env) });
 */
export function llmConfigFromEnv(env: Record<string, string | undefined>): LlmConfig | null {
  const url = env["WAYGATE_LLM_URL"]?.trim();
  const model = env["WAYGATE_LLM_MODEL"]?.trim();
  if (!url || !model) return null;
  const apiKey = env["WAYGATE_LLM_API_KEY"]?.trim();
  const provider = env["WAYGATE_LLM_PROVIDER"]?.trim() === "anthropic" ? { provider: "anthropic" as const } : {};
  return apiKey ? { url, model, apiKey, ...provider } : { url, model, ...provider };
}
