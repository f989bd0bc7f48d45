/**
 * The big real case: the GitHub REST spec from @octokit/openapi, imported by the real
 * importer (src/importer) and wrapped in a one-integration manifest.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { SdkManifest } from "../../../src/contract/sdk.js";
import { importDocument } from "../../../src/importer/index.js";

export const GITHUB_SPEC_PATH = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");

export async function githubManifest(): Promise<SdkManifest> {
  const content = readFileSync(GITHUB_SPEC_PATH);
  const outcome = await importDocument({ kind: "content", content, filename: "api.github.com.json" }, { limits: { maxDocumentBytes: 64_000_000 } });
  if (outcome.kind !== "imported") throw new Error(`importing the GitHub spec failed: ${JSON.stringify(outcome.error)}`);
  const { definition, contentHash } = outcome;
  return {
    hash: contentHash,
    apiUrl: "https://api.waygate.test",
    tenantId: "ten_github",
    appId: null,
    integrations: [
      {
        slug: "github",
        name: definition.name,
        description: definition.description ?? null,
        version: 1,
        contentHash,
        baseUrl: definition.baseUrl,
        authSchemes: definition.authSchemes,
        authTypeUnverified: definition.authTypeUnverified,
        actions: definition.actions,
      },
    ],
  };
}
