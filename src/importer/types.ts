import type { Dispatcher } from "undici";
import type { IntegrationDefinition } from "../contract/integrations.js";

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
  /** OpenAI-compatible base URL (…/v1) or the full …/chat/completions endpoint. */
  url: string;
  apiKey?: string;
  model: string;
}

export type ImportStage = "fetching" | "parsing" | "resolving" | "normalising" | "done";

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
  | "invalid_definition";

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
}

export type ImportOutcome =
  | {
      kind: "imported";
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
