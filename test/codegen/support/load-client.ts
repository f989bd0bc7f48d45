/**
 * Generates a client, transpiles it to JS in a temp dir and imports it, so tests run
 * the generated code itself (runtime.ts included), not the template.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { SdkManifest } from "../../../src/contract/sdk.js";
import { generateClient } from "../../../src/codegen/index.js";
import { transpile, writeFiles } from "./compile.js";

export type Call = (input?: unknown, options?: Record<string, unknown>) => Promise<unknown>;
export type Paged = Call & { paginate(input?: unknown, options?: Record<string, unknown>): AsyncIterable<unknown> };
type ErrorClass = abstract new (...args: never[]) => Error & { status?: number; problem?: Record<string, unknown>; retryAfter?: number };

/** The part of the generated module the tests use, typed loosely. */
export interface GeneratedModule {
  createWaygate(options: Record<string, unknown>): Record<string, unknown>;
  WaygateError: ErrorClass;
  BadRequestError: ErrorClass;
  AuthenticationError: ErrorClass;
  PermissionDeniedError: ErrorClass;
  NotFoundError: ErrorClass;
  ConflictError: ErrorClass;
  UnprocessableEntityError: ErrorClass;
  RateLimitError: ErrorClass;
  InternalServerError: ErrorClass;
  ConnectionError: ErrorClass;
  TimeoutError: ErrorClass;
}

export async function loadGeneratedClient(manifest: SdkManifest): Promise<{ module: GeneratedModule; dir: string; files: Map<string, string> }> {
  const files = generateClient(manifest, { generatorVersion: "0.0.0-test" });
  const dir = writeFiles(files);
  transpile(files, dir);
  const module = (await import(pathToFileURL(join(dir, "index.js")).href)) as GeneratedModule;
  return { module, dir, files };
}

/** Follows a member path on a client object (`at(wg, "slack.chat.postMessage")`). */
export function at<T = Call>(root: unknown, path: string): T {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root) as T;
}
