import type { Dispatcher } from "undici";
import type { ActionDefinition, IntegrationDefinition } from "../contract/integrations.js";

/** Where the document comes from: a URL to fetch, or bytes the caller already has. */
export type ImportSource =
  /** `headers` go with requests to the URL's origin only (the document, same-origin `$ref`s), never elsewhere. */
  | { kind: "url"; url: string; headers?: Record<string, string> }
  | { kind: "content"; content: string | Uint8Array; filename?: string };

export type ImportFormat = "openapi" | "swagger" | "postman" | "html";

export interface ImportLimits {
  /** Largest single document (root, external $ref file, HTML page, LLM reply), in bytes. */
  maxDocumentBytes: number;
  /** $ref resolutions in one import (bounds work on reference-heavy or hostile documents). */
  maxRefCount: number;
  /** Longest chain of $ref → $ref → … before a target is reached. */
  maxRefDepth: number;
  /** Documents loaded in one import, the root included (external $ref files, HTML → spec). */
  maxDocuments: number;
  /** Nesting of objects/arrays in a parsed document; deeper documents are refused. */
  maxNestingDepth: number;
  /** Operations in one import (the contract allows 20 000 actions). */
  maxOperations: number;
  requestTimeoutMs: number;
  maxRedirects: number;
  /** YAML alias expansion budget (the `yaml` package's `maxAliasCount`). */
  maxYamlAliases: number;
  /** Page text sent to the LLM is cut to this many characters. */
  maxLlmInputChars: number;
  llmTimeoutMs: number;
}

export interface LlmConfig {
  /** OpenAI-compatible base URL (…/v1) or the full …/chat/completions endpoint; for Anthropic, https://api.anthropic.com (or …/v1/messages). */
  url: string;
  apiKey?: string;
  model: string;
  /** Default "openai" (chat completions: OpenAI, Ollama, llama.cpp, vLLM…); "anthropic" for the Messages API. */
  provider?: "openai" | "anthropic";
}

/** What the LLM cost one import. */
export interface LlmUsage {
  model: string;
  /** Pages whose text was sent (each may take several requests: retries, chunks). */
  pagesSent: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export type ImportStage = "fetching" | "crawling" | "extracting" | "parsing" | "resolving" | "normalising" | "done";

/**
 * Following a docs site from an HTML page that links no spec: same origin, under the page's
 * folder, robots.txt honoured. Every limit has a default (see DEFAULT_CRAWL).
 */
export interface CrawlOptions {
  /** Pages read, the start page included (default 200, at most 10 000). */
  maxPages?: number | undefined;
  /** Links followed from the start page (default 5). */
  maxDepth?: number | undefined;
  /** Bytes of all pages together (default 50 MB). */
  maxBytes?: number | undefined;
  /** Wall-clock time of the crawl (default 5 minutes). */
  maxTimeMs?: number | undefined;
  /** Pages fetched at once (default 4, at most 8). */
  concurrency?: number | undefined;
  /** Milliseconds between two requests to the docs host (default 100; a robots.txt Crawl-delay can only raise it). */
  delayMs?: number | undefined;
  /** URL patterns (`*` matches anything, the pattern may match anywhere in the URL): only matching pages are read. */
  include?: string[] | undefined;
  /** URL patterns of pages not to read (`/changelog`). */
  exclude?: string[] | undefined;
}

export interface ImportProgress {
  stage: ImportStage;
  done?: number;
  total?: number;
  message?: string;
}

export interface ImportOptions {
  /** Default "auto": detected from the content. */
  format?: "auto" | ImportFormat;
  slug?: string;
  name?: string;
  /**
   * Where a `content` source lives on the web: relative `$ref`s, relative server URLs and
   * relative spec links in HTML resolve against it. Without it (and without `baseDir`),
   * relative file references in content are refused.
   */
  baseUrl?: string;
  /**
   * Local directory of a `content` source (CLI `waygate scrape ./spec.yaml`): relative `$ref`s
   * are read from files under it, never outside it.
   */
  baseDir?: string;
  /** API base URL to use when the document has none (or to override the document's). CLI `--server-url`. */
  serverUrl?: string;
  /**
   * Values for OpenAPI server variables (`https://{host}/api/{version}`), over the document's
   * defaults. CLI `--server-var name=value`.
   */
  serverVariables?: Record<string, string>;
  /**
   * Default false: a `$ref` that points to nothing fails the import (a truncated document must
   * not become a version). True imports anyway, the broken schemas accepting any value. CLI
   * `--allow-dangling-refs`.
   */
  allowDanglingRefs?: boolean;
  /** Default false: loopback, private, link-local and other non-public targets are refused. */
  allowPrivateNetwork?: boolean;
  limits?: Partial<ImportLimits>;
  /**
   * An HTML page without a spec: follow its links and extract from the whole docs site, not
   * the page alone. Off by default in the library (the API turns it on).
   */
  crawl?: CrawlOptions | false;
  /**
   * What the LLM answered for pages of an earlier crawl, by page hash (model + text): those
   * pages are not sent again. The outcome's `llmCache` is what to keep for the next run.
   */
  llmCache?: Record<string, LlmPageExtraction> | undefined;
  /** OpenAI-compatible chat completions for HTML pages without a spec; see `llmConfigFromEnv`. */
  llm?: LlmConfig | null;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
  /** Replaces the default dispatcher (tests, proxies). Address checks still run before each request. */
  dispatcher?: Dispatcher;
}

export type ImportErrorCode =
  | "invalid_source"
  | "invalid_option"
  | "fetch_failed"
  /** The document's server answered 4xx (other than 408/429): asking again will not help. */
  | "fetch_refused"
  | "private_network"
  | "unsupported_url"
  | "too_large"
  | "timeout"
  | "too_many_redirects"
  | "aborted"
  | "syntax_error"
  | "nesting_limit"
  | "yaml_alias_limit"
  | "unknown_format"
  | "format_mismatch"
  | "unsupported_version"
  | "invalid_document"
  | "ref_limit"
  | "ref_not_allowed"
  | "dangling_ref"
  | "document_limit"
  | "no_base_url"
  | "no_operations"
  | "no_spec_found"
  | "too_many_operations"
  | "invalid_definition"
  /** The LLM endpoint refused the key, the model cannot give structured output, rate limits outlasted the retries, or its answers were unusable. */
  | "llm_failed";

export interface ImportLocation {
  /** File name or URL of the document. */
  source: string;
  /** RFC 6901 JSON pointer into that document. */
  pointer?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}

export interface ImportProblem {
  code: ImportErrorCode;
  message: string;
  location?: ImportLocation;
}

export interface ImportWarning {
  code: string;
  message: string;
  location?: ImportLocation;
}

export interface ImportStats {
  /** Operations found in the document(s); equals `actions` unless some were skipped (see warnings). */
  operations: number;
  actions: number;
  /** Documents read: root, external $ref files, the spec behind an HTML page. */
  documents: number;
  /** Bytes read across those documents. */
  bytes: number;
  /** $ref resolutions performed. */
  refs: number;
  /** Distinct schemas placed under `$defs` somewhere in the definition. */
  schemas: number;
  /** Present when an LLM was asked. */
  llm?: (LlmUsage & { pagesCached: number }) | undefined;
}

/** What the LLM read from one page: its validated actions and the base URL they are relative to. */
export interface LlmPageExtraction {
  baseUrl?: string | undefined;
  actions: ActionDefinition[];
}

export type ImportOutcome =
  | {
      kind: "imported";
      /** A crawl with an LLM: the extraction of every page it read, by page hash, for the next run's `llmCache`. */
      llmCache?: Record<string, LlmPageExtraction> | undefined;
      /**
       * Validated with IntegrationDefinitionSchema. Schemas under `$defs` are shared between
       * actions (one object, many references): treat the definition as immutable, or
       * JSON round-trip it before editing.
       */
      definition: IntegrationDefinition;
      /** `definitionHash(definition)` (src/lib/definition-hash.ts): equal documents give equal hashes. */
      contentHash: string;
      /** The kind of document the actions were read from ("html": extracted from the page itself). */
      format: ImportFormat;
      /** "3.0.3", "3.1.0", "2.0", "2.1.0"…; absent for HTML extraction. */
      formatVersion?: string;
      /** The spec URL found on an HTML page, when the definition came from it. */
      discoveredFrom?: string;
      warnings: ImportWarning[];
      stats: ImportStats;
    }
  | { kind: "failed"; error: ImportProblem; warnings: ImportWarning[] };
