/**
 * Shared set-up of the runtime tests: the small manifest's client, generated and loaded
 * once per test file, and a fake Waygate it talks to over loopback HTTP.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { removeDir } from "./compile.js";
import { startFakeWaygate, type FakeWaygate } from "./fake-waygate.js";
import { loadGeneratedClient, type LoadedClient, type WaygateClient } from "./load-client.js";
import { loadManifest } from "./manifests.js";

export interface RuntimeSetup {
  waygate: FakeWaygate;
  loaded: LoadedClient;
  /** A client of every integration, on the fake, with `options` over the defaults. */
  client(options?: Record<string, unknown>): WaygateClient;
}

export function useRuntime(): RuntimeSetup {
  const setup = {} as RuntimeSetup;
  beforeAll(async () => {
    setup.waygate = await startFakeWaygate();
    setup.loaded = await loadGeneratedClient(loadManifest("client-manifest.json"));
    setup.client = (options = {}) => setup.loaded.module.createWaygate({ apiKey: setup.waygate.key, baseUrl: setup.waygate.url, ...options }) as WaygateClient;
  });
  afterAll(async () => {
    await setup.waygate.close();
    removeDir(setup.loaded.dir);
  });
  beforeEach(() => setup.waygate.reset());
  return setup;
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
