/**
 * Generates the client for the whole GitHub REST API (1200+ actions) and compiles it,
 * with a sample of TS snippets, under both module settings.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateClient, loadTemplates, renderSnippet } from "../../src/codegen/index.js";
import type { SdkManifest } from "../../src/contract/sdk.js";
import { removeDir, SETTINGS, typecheck, writeFiles } from "./support/compile.js";
import { githubManifest } from "./support/github-manifest.js";

let manifest: SdkManifest;
let files: Map<string, string>;
let dir: string;
let snippetFiles: string[];
let generateMs = 0;

beforeAll(async () => {
  manifest = await githubManifest();
  const started = performance.now();
  files = generateClient(manifest, { generatorVersion: "0.0.0-test" });
  generateMs = performance.now() - started;
  const integration = manifest.integrations[0]!;
  const templates = loadTemplates();
  const sample = integration.actions.filter((action, index) => index % 60 === 0 || ["issues.create", "repos.listForOrg", "repos.get"].includes(action.name));
  const withSnippets = new Map([...files].map(([path, text]) => [`waygate/${path}`, text]));
  snippetFiles = sample.map((action, index) => {
    const path = `snippet-${index}.ts`;
    withSnippets.set(path, renderSnippet(integration, action, "ts", { apiUrl: manifest.apiUrl, templates }));
    return path;
  });
  dir = writeFiles(withSnippets);
}, 120_000);

afterAll(() => removeDir(dir));

describe("GitHub REST API", () => {
  test("one module with named types and a nested client for every action", () => {
    expect([...files.keys()]).toEqual(["github.ts", "index.ts", "runtime.ts"]);
    const github = files.get("github.ts") ?? "";
    expect(manifest.integrations[0]!.actions.length).toBeGreaterThan(1000);
    expect(github).toContain("export type IssuesCreateInput = {");
    expect(github).toMatch(/readonly listForOrg: runtime\.PaginatedAction<ReposListForOrgInput, ReposListForOrgOutput, ReposListForOrgItem>;/);
    expect(github).toMatch(/export type ReposListForOrgItem = MinimalRepository;/);
    // Components shared by many operations are emitted once.
    expect(github.match(/^export type SimpleUser = /gm)).toHaveLength(1);
  });

  test("generates in well under a minute (benchmarks/generate-github.mjs measures it properly)", () => {
    expect(generateMs).toBeLessThan(60_000);
  });

  test("is deterministic", () => {
    const again = generateClient(manifest, { generatorVersion: "0.0.0-test" });
    expect(again.get("github.ts") === files.get("github.ts")).toBe(true);
  });

  test("compiles, with TS snippets for a sample of actions, under NodeNext with zero diagnostics", () => {
    const roots = ["waygate/index.ts", "waygate/github.ts", "waygate/runtime.ts", ...snippetFiles];
    expect(typecheck(dir, roots, { ...SETTINGS.nodenext, isolatedDeclarations: false })).toEqual([]);
  }, 120_000);

  test("compiles under Bundler with isolatedDeclarations and zero diagnostics", () => {
    expect(typecheck(dir, ["waygate/index.ts", "waygate/github.ts", "waygate/runtime.ts"], SETTINGS.bundler)).toEqual([]);
  }, 120_000);
});
