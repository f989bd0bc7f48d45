import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SdkManifestSchema, type SdkManifest } from "../../../src/contract/sdk.js";

export const fixturesDir = fileURLToPath(new URL("../../../fixtures/codegen/", import.meta.url));

/** A fixture manifest validated (and defaulted) by the contract schema, as the server would send it. */
export function loadManifest(name: string): SdkManifest {
  return SdkManifestSchema.parse(JSON.parse(readFileSync(fixturesDir + name, "utf8")));
}

/**
 * A fixture manifest taken as-is: the hostile one breaks the contract on purpose (names
 * the action-name regex rejects, non-string titles), to show the generator does not rely
 * on upstream validation. Only the defaults zod would add are filled in.
 */
export function loadRawManifest(name: string): SdkManifest {
  const manifest = JSON.parse(readFileSync(fixturesDir + name, "utf8")) as SdkManifest;
  for (const integration of manifest.integrations) {
    const defaults = { deprecated: false, tags: [], inputSchema: { type: "object", properties: {} }, outputSchema: null, errors: {}, pagination: null };
    integration.actions = integration.actions.map((action) => Object.assign({}, defaults, action));
  }
  return manifest;
}
