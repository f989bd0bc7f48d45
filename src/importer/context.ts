import type { Fetcher } from "./fetch.js";
import { fail } from "./problem.js";
import type { Warnings } from "./problem.js";
import type { CrawlOptions, ImportLimits, ImportProgress, LlmConfig, LlmPageExtraction } from "./types.js";

export interface ResolvedOptions {
  slug?: string | undefined;
  name?: string | undefined;
  serverUrl?: string | undefined;
  serverVariables: Record<string, string>;
  allowDanglingRefs: boolean;
  baseUrl?: string | undefined;
  baseDir?: string | undefined;
  allowPrivateNetwork: boolean;
  llm: LlmConfig | null;
  /** Null: read the page alone. */
  crawl: CrawlOptions | null;
  llmCache: Record<string, LlmPageExtraction> | undefined;
}

/** Everything one import carries: options, limits, warnings, HTTP and progress. Built once per call. */
export class Context {
  readonly limits: ImportLimits;
  readonly warnings: Warnings;
  readonly fetcher: Fetcher;
  readonly options: ResolvedOptions;
  /** Name of the root document for error locations (URL or file name). */
  sourceName: string;
  private readonly onProgress: ((progress: ImportProgress) => void) | undefined;
  private readonly signal: AbortSignal | undefined;

  constructor(init: {
    limits: ImportLimits;
    warnings: Warnings;
    fetcher: Fetcher;
    options: ResolvedOptions;
    sourceName: string;
    onProgress?: ((progress: ImportProgress) => void) | undefined;
    signal?: AbortSignal | undefined;
  }) {
    this.limits = init.limits;
    this.warnings = init.warnings;
    this.fetcher = init.fetcher;
    this.options = init.options;
    this.sourceName = init.sourceName;
    this.onProgress = init.onProgress;
    this.signal = init.signal;
  }

  progress(progress: ImportProgress): void {
    this.onProgress?.(progress);
  }

  checkAborted(): void {
    if (this.signal?.aborted) fail("aborted", "import aborted", { source: this.sourceName });
  }
}
