import type { Dispatcher } from "undici";
import type { WaygateClient } from "../client/index.js";
import { VERSION } from "../version.js";
import { ConfigStore, DEFAULT_API_URL, DEFAULT_PROFILE } from "./config.js";
import { createCredentialStore, type CredentialLocation, type CredentialStore } from "./credentials.js";
import { AuthError } from "./errors.js";
import type { IO } from "./io.js";
import { configDir } from "./paths.js";
import { createPrompter, type Prompter } from "./prompter.js";

/** Options every command accepts (commander's globals). */
export interface GlobalOptions {
  apiUrl?: string | undefined;
  apiKey?: string | undefined;
  profile?: string | undefined;
  json: boolean;
  debug: boolean;
  color: boolean;
  yes: boolean;
}

export type Source = "flag" | "env" | "profile" | "credential" | "default";

/** The API a command talks to and the key it uses, with where each came from. */
export interface Target {
  profile: string;
  apiUrl: string;
  apiUrlSource: Source;
  apiKey: string | undefined;
  apiKeySource: Source | undefined;
  credential: CredentialLocation | undefined;
}

export interface Context {
  readonly io: IO;
  readonly env: NodeJS.ProcessEnv;
  readonly globals: GlobalOptions;
  readonly clock: () => Date;
  readonly configDir: string;
  readonly config: ConfigStore;
  readonly credentials: CredentialStore;
  readonly prompter: Prompter;
  /** Resolves URL and key: flag > env > profile config > stored credential. */
  target(): Promise<Target>;
  /** A client for the resolved target; `requireKey` (default true) fails with exit 4 when there is no key. */
  client(options?: { requireKey?: boolean; apiUrl?: string; apiKey?: string }): Promise<WaygateClient>;
  /** The undici dispatcher for every outbound call of this process. */
  dispatcher(): Promise<Dispatcher>;
  /** Releases pooled connections so the process can exit at once instead of waiting for keep-alive timeouts. */
  close(): Promise<void>;
}

export interface ContextDeps {
  io: IO;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
  clock?: () => Date;
  dispatcher?: Dispatcher;
}

/** Builds the one context a command runs with. Everything expensive is created on first use. */
export function createContext(deps: ContextDeps): Context {
  const { io, env, globals } = deps;
  const dir = configDir(env);
  let config: ConfigStore | undefined;
  let credentials: CredentialStore | undefined;
  let prompter: Prompter | undefined;
  let dispatcher: Promise<Dispatcher> | undefined;
  let target: Promise<Target> | undefined;

  const context: Context = {
    io,
    env,
    globals,
    clock: deps.clock ?? (() => new Date()),
    configDir: dir,
    get config() {
      return (config ??= new ConfigStore(dir));
    },
    get credentials() {
      return (credentials ??= createCredentialStore({ configDir: dir, env }));
    },
    get prompter() {
      const interactive = io.stdinIsTTY && !globals.yes && !isCI(env);
      return (prompter ??= createPrompter(io, interactive));
    },
    target: () => (target ??= resolveTarget(context)),
    dispatcher: () =>
      (dispatcher ??= deps.dispatcher
        ? Promise.resolve(deps.dispatcher)
        : import("undici").then(({ Agent }) => new Agent({ connect: { timeout: 10_000 } }))),
    async close() {
      if (dispatcher && !deps.dispatcher) await (await dispatcher).close();
    },
    async client(options = {}) {
      const resolved = await context.target();
      const apiKey = options.apiKey ?? resolved.apiKey;
      if (options.requireKey !== false && !apiKey) {
        throw new AuthError(
          `not logged in${resolved.profile === DEFAULT_PROFILE ? "" : ` (profile "${resolved.profile}")`}: ` +
            "run `waygate login`, or pass --api-key / set WAYGATE_API_KEY",
        );
      }
      const { WaygateClient } = await import("../client/index.js");
      return new WaygateClient({
        baseUrl: options.apiUrl ?? resolved.apiUrl,
        apiKey,
        dispatcher: await context.dispatcher(),
        userAgent: `waygate-cli/${VERSION}`,
      });
    },
  };
  return context;
}

export function isCI(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== "" && env.CI !== "0" && env.CI !== "false";
}

async function resolveTarget(context: Context): Promise<Target> {
  const { globals, env } = context;
  const configFile = await context.config.read();
  const profile = globals.profile ?? (env.WAYGATE_PROFILE || undefined) ?? configFile.currentProfile ?? DEFAULT_PROFILE;
  const saved = configFile.profiles[profile];

  let apiUrl = DEFAULT_API_URL;
  let apiUrlSource: Source = "default";
  if (globals.apiUrl) [apiUrl, apiUrlSource] = [globals.apiUrl, "flag"];
  else if (env.WAYGATE_API_URL) [apiUrl, apiUrlSource] = [env.WAYGATE_API_URL, "env"];
  else if (saved?.apiUrl) [apiUrl, apiUrlSource] = [saved.apiUrl, "profile"];

  if (globals.apiKey) return { profile, apiUrl, apiUrlSource, apiKey: globals.apiKey, apiKeySource: "flag", credential: undefined };
  if (env.WAYGATE_API_KEY) return { profile, apiUrl, apiUrlSource, apiKey: env.WAYGATE_API_KEY, apiKeySource: "env", credential: undefined };
  const stored = await context.credentials.get(profile);
  return {
    profile,
    apiUrl,
    apiUrlSource,
    apiKey: stored?.apiKey,
    apiKeySource: stored ? "credential" : undefined,
    credential: stored?.location,
  };
}
