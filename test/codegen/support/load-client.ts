/**
 * Generates a client, transpiles its .ts files to JS in a temp dir (runtime.js is JS
 * already) and imports it, so tests run the generated code itself, not the template.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { SdkManifest } from "../../../src/contract/sdk.js";
import { generateClient } from "../../../src/codegen/index.js";
import { transpile, writeFiles } from "./compile.js";

export type Call = ((input?: unknown, options?: Record<string, unknown>) => Promise<unknown>) & {
  withResponse(input?: unknown, options?: Record<string, unknown>): Promise<Record<string, unknown> & { headers: { get(name: string): string | null } }>;
};
export type Paged = Call & {
  paginate(input?: unknown, options?: Record<string, unknown>): AsyncIterable<unknown>;
  pages(input?: unknown, options?: Record<string, unknown>): AsyncIterable<Record<string, unknown> & { items: unknown[] }>;
};
export type RawRequest = ((route: string, input?: Record<string, unknown>, options?: Record<string, unknown>) => Promise<unknown>) & {
  withResponse(route: string, input?: Record<string, unknown>, options?: Record<string, unknown>): Promise<Record<string, unknown>>;
};
export type ErrorClass = abstract new (...args: never[]) => Error & Record<string, unknown>;

export type ErrorClassName =
  | "WaygateError"
  | "APIError"
  | "BadRequestError"
  | "AuthenticationError"
  | "PermissionDeniedError"
  | "NotFoundError"
  | "ConflictError"
  | "UnprocessableEntityError"
  | "RateLimitError"
  | "InternalServerError"
  | "WaygateProblemError"
  | "InvalidInputError"
  | "ConnectionRequiredError"
  | "ConnectionNotFoundError"
  | "AuthMissingError"
  | "OAuthRefreshFailedError"
  | "VersionMismatchError"
  | "WaygateAuthenticationError"
  | "WaygatePermissionDeniedError"
  | "WaygateNotFoundError"
  | "WaygateRateLimitError"
  | "UpstreamUnreachableError"
  | "UpstreamTimeoutError"
  | "UpstreamResponseTooLargeError"
  | "InvalidOutputError"
  | "InvalidPageTokenError"
  | "APIConnectionError"
  | "APIConnectionTimeoutError"
  | "APIUserAbortError"
  | "ConnectionError"
  | "TimeoutError";

/** The part of the generated index module the tests use, typed loosely. */
export interface WaygateClient {
  [member: string]: unknown;
  withOptions(options: Record<string, unknown>): WaygateClient;
}

export type GeneratedModule = Record<ErrorClassName, ErrorClass> & {
  /** Returns a `WaygateClient` (typed loosely, so tests can cast it to the shape they call). */
  createWaygate(options?: Record<string, unknown>): Record<string, unknown>;
  ProblemTypes: Record<string, string>;
};

export interface LoadedClient {
  /** index.js */
  module: GeneratedModule;
  /** Each integration's module (`slack.js`) and each group's (`slack.chat.js`), by file name without extension. */
  integrations: Record<string, { createWaygate(options?: Record<string, unknown>): Record<string, unknown> }>;
  dir: string;
  files: Map<string, string>;
}

export async function loadGeneratedClient(manifest: SdkManifest): Promise<LoadedClient> {
  const files = generateClient(manifest, { generatorVersion: "0.0.0-test" });
  const dir = writeFiles(files);
  transpile(files, dir);
  const load = (file: string): Promise<unknown> => import(pathToFileURL(join(dir, file)).href);
  const module = (await load("index.js")) as GeneratedModule;
  const integrations: LoadedClient["integrations"] = {};
  for (const path of files.keys()) {
    // `slack.ts` (transpiled above) and `slack.chat.js` (generated as JavaScript); not index.ts, the runtime or the group loaders.
    const entry = /^[^.]+\.ts$/.test(path) ? path !== "index.ts" : /^[^.]+\.[^.]+\.js$/.test(path);
    if (entry) integrations[path.replace(/\.(ts|js)$/, "")] = (await load(path.replace(/\.ts$/, ".js"))) as LoadedClient["integrations"][string];
  }
  return { module, integrations, dir, files };
}

/** Follows a member path on a client object (`at(wg, "slack.chat.postMessage")`). */
export function at<T = Call>(root: unknown, path: string): T {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root) as T;
}
