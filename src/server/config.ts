import { z } from "zod";
import { redactUrl, resolveStoreLocation, StoreConfigError } from "../store/index.js";

/**
 * Every setting of `waygate server start` (and `server worker`), in one table: its
 * environment variable, its flag, how a value is checked, its default and whether it is a
 * secret. Start-up, `waygate server config`, the help text and docs/deploy.md's table
 * (test/e2e/config.test.ts keeps it true) all read this.
 *
 * Precedence: flag, then environment variable, then default.
 */
export interface Setting<T> {
  env: string;
  /** The flag that overrides it; none for secrets (they do not belong in argv or shell history). */
  flag?: string;
  description: string;
  /** Checks a value, from a flag (already typed) or from the environment (after `fromEnv`). */
  schema: z.ZodType<T>;
  /** The environment's text as the schema's input type. */
  fromEnv?: (text: string) => unknown;
  /** Shown as "(default: …)"; absent settings are simply unset. */
  default?: T;
  defaultText?: string;
  /** Masked by `server config`. */
  secret?: "whole" | "url-password";
}

function setting<T>(spec: Setting<T>): Setting<T> {
  return spec;
}

const wholeNumber = (text: string): unknown => (/^\s*\d+\s*$/.test(text) ? Number(text) : text);
const yesNo = (text: string): unknown => {
  const value = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  return text;
};
const positiveInt = z.number({ error: "must be a positive whole number" }).int("must be a positive whole number").min(1, "must be a positive whole number");
const bool = z.boolean({ error: "must be true or false (also 1/0, yes/no, on/off)" });
const base64Key = z.string().refine((text) => Buffer.from(text, "base64").length === 32, "must be 32 bytes in base64 (generate one with `openssl rand -base64 32`)");

export const SERVER_SETTINGS = {
  databaseUrl: setting<string>({
    env: "WAYGATE_DATABASE_URL", flag: "--database-url", secret: "url-password",
    description: "Postgres URL (postgres://user:password@host/db, ?schema=NAME for a schema); unset: SQLite in the data directory",
    schema: z.string().superRefine((url, ctx) => {
      try {
        resolveStoreLocation({ databaseUrl: url, dataDir: "." });
      } catch (error) {
        if (!(error instanceof StoreConfigError)) throw error;
        ctx.addIssue({ code: "custom", message: error.message });
      }
    }),
  }),
  dataDir: setting<string>({
    env: "WAYGATE_DATA_DIR", flag: "--data-dir",
    description: "Directory of the SQLite database and the encryption key file",
    schema: z.string().min(1), defaultText: "~/.local/share/waygate",
  }),
  host: setting<string>({ env: "WAYGATE_HOST", flag: "--host", description: "Interface to listen on", schema: z.string().min(1), default: "127.0.0.1" }),
  port: setting<number>({
    env: "WAYGATE_PORT", flag: "--port", description: "Port to listen on (0 picks a free one)", fromEnv: wholeNumber, default: 4400,
    schema: z.number({ error: "must be a port number from 0 to 65535" }).int("must be a port number from 0 to 65535").min(0).max(65_535, "must be a port number from 0 to 65535"),
  }),
  publicUrl: setting<string>({
    env: "WAYGATE_PUBLIC_URL", flag: "--public-url",
    description: "The URL clients reach this server at (behind a proxy); default: the origin each request came to",
    schema: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  }),
  allowPrivateImports: setting<boolean>({
    env: "WAYGATE_ALLOW_PRIVATE_IMPORTS", flag: "--allow-private-imports / --no-allow-private-imports", fromEnv: yesNo, schema: bool,
    description: "Let URL imports fetch loopback and private addresses", defaultText: "true when listening on loopback, else false",
  }),
  upstreams: setting<"public" | "loopback" | "private">({
    env: "WAYGATE_UPSTREAMS", flag: "--allow-loopback-upstreams / --allow-private-upstreams", description: "Addresses invokes may reach: public, loopback (adds this machine) or private (any)",
    schema: z.enum(["public", "loopback", "private"], { error: "must be public, loopback or private" }), default: "public",
  }),
  maxCollectedBytes: setting<number>({ env: "WAYGATE_MAX_COLLECTED_BYTES", flag: "--max-collected-bytes", fromEnv: wholeNumber, schema: positiveInt, default: 32 * 1024 * 1024, description: "Bytes of upstream pages one collecting invoke may hold (then 507)" }),
  maxDocumentBytes: setting<number>({ env: "WAYGATE_MAX_DOCUMENT_BYTES", flag: "--max-document-bytes", fromEnv: wholeNumber, schema: positiveInt, default: 64 * 1024 * 1024, description: "Largest document an import accepts" }),
  maxUploadBytesInFlight: setting<number>({ env: "WAYGATE_MAX_UPLOAD_BYTES_IN_FLIGHT", flag: "--max-upload-bytes-in-flight", fromEnv: wholeNumber, schema: positiveInt, default: 256 * 1024 * 1024, description: "Bytes of documents received at once, server-wide (then 503)" }),
  workerConcurrency: setting<number>({ env: "WAYGATE_WORKER_CONCURRENCY", flag: "--worker-concurrency", fromEnv: wholeNumber, schema: positiveInt, default: 2, description: "Import jobs this process runs at once" }),
  tenantConcurrency: setting<number>({ env: "WAYGATE_TENANT_CONCURRENCY", flag: "--tenant-concurrency", fromEnv: wholeNumber, schema: positiveInt, defaultText: "worker concurrency - 1 (at least 1) on each worker", description: "Running jobs one tenant may have over every worker on the database (embedded queue and BullMQ); unset, each worker keeps a slot for other tenants" }),
  batchShares: setting<number>({
    env: "WAYGATE_BATCH_SHARES", flag: "--batch-shares", fromEnv: wholeNumber, schema: positiveInt, default: 1,
    description: "Jobs each batch is shared into, so that as many workers (BullMQ) run one batch together; its concurrency is split between them",
  }),
  tickSecret: setting<string>({
    env: "WAYGATE_TICK_SECRET", secret: "whole", schema: z.string().min(32, "must be at least 32 characters (`openssl rand -hex 32`)"),
    description: "Bearer token with which POST /v1/jobs/tick runs every tenant's due jobs (the scheduled call of a serverless deployment); a tenant key's tick runs that tenant's only",
  }),
  jobLeaseMs: setting<number>({
    env: "WAYGATE_JOB_LEASE_MS", flag: "--job-lease-ms", fromEnv: wholeNumber, default: 30_000,
    description: "How long a running job's worker may go silent before another worker takes the job over (a crashed worker's jobs wait this long)",
    schema: z.number({ error: "must be a whole number of milliseconds, at least 1000" }).int("must be a whole number of milliseconds, at least 1000").min(1000, "must be a whole number of milliseconds, at least 1000"),
  }),
  redisUrl: setting<string>({
    env: "WAYGATE_REDIS_URL", flag: "--redis-url", secret: "url-password",
    description: "Redis URL (redis://[:password@]host:6379[/db], rediss:// for TLS): jobs run on BullMQ and rate limits are shared by every process; unset: the embedded queue and per-process limits",
    schema: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }),
  }),
  redisPrefix: setting<string>({
    env: "WAYGATE_REDIS_PREFIX", flag: "--redis-prefix", default: "waygate",
    description: "Prefix of every Redis key this Waygate writes (several Waygates can share one Redis)",
    schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1 to 64 letters, digits, '_', '.' or '-'"),
  }),
  migrate: setting<boolean>({ env: "WAYGATE_MIGRATE", flag: "--no-migrate", fromEnv: yesNo, schema: bool, default: true, description: "Apply pending migrations at start; false refuses to start while any are pending" }),
  logLevel: setting<"trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent">({
    env: "WAYGATE_LOG_LEVEL", flag: "--log-level", default: "info", description: "Least severe log lines written",
    schema: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], { error: "must be trace, debug, info, warn, error, fatal or silent" }),
  }),
  logFormat: setting<"json" | "pretty">({
    env: "WAYGATE_LOG_FORMAT", flag: "--log-format", schema: z.enum(["json", "pretty"], { error: "must be json or pretty" }),
    defaultText: "pretty on a terminal, else json", description: "Log lines as JSON (one object per line) or pretty",
  }),
  encryptionKey: setting<string>({ env: "WAYGATE_ENCRYPTION_KEY", secret: "whole", schema: base64Key, defaultText: "the data directory's key file", description: "Key that encrypts stored credentials (32 bytes, base64)" }),
  encryptionPreviousKeys: setting<string>({
    env: "WAYGATE_ENCRYPTION_PREVIOUS_KEYS", secret: "whole", description: "Older keys still accepted for reading, comma-separated (during key rotation)",
    schema: z.string().refine((text) => text.split(",").filter(Boolean).every((key) => Buffer.from(key, "base64").length === 32), "must be comma-separated 32-byte base64 keys"),
  }),
  llmUrl: setting<string>({ env: "WAYGATE_LLM_URL", schema: z.url({ error: "must be a URL" }), description: "LLM endpoint for HTML imports: OpenAI-compatible …/v1, or https://api.anthropic.com (with WAYGATE_LLM_MODEL)" }),
  llmProvider: setting<"openai" | "anthropic">({
    env: "WAYGATE_LLM_PROVIDER", default: "openai", description: "The LLM endpoint's API: openai (chat completions: OpenAI, Ollama, llama.cpp, vLLM…) or anthropic (Messages)",
    schema: z.enum(["openai", "anthropic"], { error: "must be openai or anthropic" }),
  }),
  llmInputCost: setting<number>({ env: "WAYGATE_LLM_INPUT_COST", schema: z.coerce.number().nonnegative(), description: "USD per million input tokens, to report what an import's LLM use cost" }),
  llmOutputCost: setting<number>({ env: "WAYGATE_LLM_OUTPUT_COST", schema: z.coerce.number().nonnegative(), description: "USD per million output tokens, to report what an import's LLM use cost" }),
  llmModel: setting<string>({ env: "WAYGATE_LLM_MODEL", schema: z.string().min(1), description: "Model name for HTML imports" }),
  llmApiKey: setting<string>({ env: "WAYGATE_LLM_API_KEY", secret: "whole", schema: z.string().min(1), description: "API key for the LLM endpoint" }),
} as const;

export type SettingName = keyof typeof SERVER_SETTINGS;
type ValueOf<S> = S extends Setting<infer T> ? T : never;
/** Settings that always have a value (their `default`); the others may be absent. */
type Defaulted = "host" | "port" | "upstreams" | "maxCollectedBytes" | "maxDocumentBytes" | "maxUploadBytesInFlight" | "workerConcurrency" | "batchShares" | "jobLeaseMs" | "redisPrefix" | "migrate" | "logLevel" | "llmProvider";
/** The effective configuration. */
export type ServerConfig = { [K in Defaulted]: ValueOf<(typeof SERVER_SETTINGS)[K]> } & { [K in Exclude<SettingName, Defaulted>]?: ValueOf<(typeof SERVER_SETTINGS)[K]> | undefined };
export type ServerFlags = { [K in SettingName]?: ValueOf<(typeof SERVER_SETTINGS)[K]> };
export type SettingSource = "flag" | "env" | "default" | "unset";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Flags over environment over defaults, every value checked. A wrong value throws one
 * ConfigError naming each wrong variable (or flag) and why; nothing starts half-configured.
 */
export function resolveServerConfig(env: NodeJS.ProcessEnv, flags: ServerFlags = {}): { config: ServerConfig; sources: Record<SettingName, SettingSource> } {
  const config: Record<string, unknown> = {};
  const sources = {} as Record<SettingName, SettingSource>;
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(SERVER_SETTINGS) as Array<[SettingName, Setting<unknown>]>) {
    const flagValue = flags[name];
    const envText = env[spec.env];
    let candidate: unknown;
    let where: string;
    if (flagValue !== undefined) {
      [candidate, where, sources[name]] = [flagValue, spec.flag ?? name, "flag"];
    } else if (envText !== undefined && envText.trim() !== "") {
      [candidate, where, sources[name]] = [spec.fromEnv ? spec.fromEnv(envText) : envText.trim(), spec.env, "env"];
    } else {
      config[name] = spec.default;
      sources[name] = spec.default === undefined ? "unset" : "default";
      continue;
    }
    const result = spec.schema.safeParse(candidate);
    if (result.success) config[name] = result.data;
    else problems.push(`${where}: ${result.error.issues[0]?.message ?? "invalid"}${spec.secret ? "" : ` (got ${JSON.stringify(flagValue ?? envText)})`}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid server configuration:\n  ${problems.join("\n  ")}`);
  return { config: config as ServerConfig, sources };
}

/** A value as `server config` shows it: secrets as "(set)", a database URL without its password. */
export function displayValue(name: SettingName, value: unknown): string | number | boolean | null {
  if (value === undefined) return null;
  const spec: Setting<unknown> = SERVER_SETTINGS[name];
  if (spec.secret === "whole") return "(set, hidden)";
  if (spec.secret === "url-password") return redactUrl(String(value));
  return value as string | number | boolean;
}

/** "(default: 4400)" or the setting's own words, for help text and docs. */
export function defaultOf(name: SettingName): string | undefined {
  const spec: Setting<unknown> = SERVER_SETTINGS[name];
  if (spec.defaultText) return spec.defaultText;
  return spec.default === undefined ? undefined : String(spec.default);
}

/**
 * The settings as a Markdown table, for docs/deploy.md and the README (test/e2e/docs.test.ts
 * fails when either differs from this, and rewrites both with UPDATE_DOCS=1).
 */
export function settingsMarkdownTable(): string {
  const rows = (Object.keys(SERVER_SETTINGS) as SettingName[]).map((name) => {
    const spec: Setting<unknown> = SERVER_SETTINGS[name];
    const flag = spec.flag ? `\`${spec.flag}\`` : "";
    const fallback = defaultOf(name);
    const shown = fallback === undefined ? "unset" : spec.defaultText ? fallback : `\`${fallback}\``;
    const secret = spec.secret === "whole" ? " (secret: `server config` hides it)" : spec.secret === "url-password" ? " (`server config` hides its password)" : "";
    return `| \`${spec.env}\` | ${flag} | ${shown} | ${spec.description}${secret} |`;
  });
  return ["| environment | flag | default | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
