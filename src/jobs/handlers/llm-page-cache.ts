import type { ImportOutcome, ImportSource, LlmConfig } from "../../importer/index.js";
import { llmConfigFromEnv } from "../../importer/llm-config.js";
import type { Store } from "../../store/index.js";
import type { StoredLlmExtraction } from "../../store/decode.js";

/**
 * The LLM settings of one scrape (an import or a drift check) and what the LLM read on this
 * docs site last time, so unchanged pages are not sent (and paid for) again. `keep` stores
 * this run's pages in place of the last run's, once the scrape succeeded.
 */
export interface ScrapeLlm {
  config: LlmConfig | null;
  previous: Record<string, StoredLlmExtraction> | undefined;
  keep(outcome: ImportOutcome): Promise<void>;
}

export async function openScrapeLlm(store: Store, tenantId: string, source: ImportSource, env: NodeJS.ProcessEnv): Promise<ScrapeLlm> {
  const config = llmConfigFromEnv(env);
  const cacheKey = config && source.kind === "url" ? llmCacheSource(source.url) : undefined;
  const previous = config && cacheKey ? await store.llmPageCache.load(tenantId, cacheKey, config.model) : undefined;
  return {
    config,
    previous,
    keep: async (outcome) => {
      if (config && cacheKey && outcome.kind === "imported" && outcome.llmCache) await store.llmPageCache.replace(tenantId, cacheKey, config.model, outcome.llmCache);
    },
  };
}

/** The docs URL an LLM cache belongs to: without credentials, query or fragment (they may hold secrets and change nothing about the site). */
function llmCacheSource(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return undefined;
  }
}
