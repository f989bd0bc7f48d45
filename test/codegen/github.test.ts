/**
 * The big real case: the client for the whole GitHub REST API (1200+ actions), generated
 * once and then met the ways a developer meets it: compiled with TypeScript 5.9 and 7
 * under both module settings, used correctly and wrongly by application code, asked for
 * completions by an editor, and its snippets parsed in every language.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exampleFromSchema, generateClient, loadTemplates, renderSnippet, SNIPPET_LANGUAGES, type SnippetLanguage } from "../../src/codegen/index.js";
import { resolveSections, snippetFlags } from "../../src/codegen/snippets/index.js";
import type { ActionDefinition } from "../../src/contract/integrations.js";
import type { ManifestIntegration, SdkManifest } from "../../src/contract/sdk.js";
import { diagnose, formatDiagnostic, removeDir, settings, SETTINGS, writeFiles, type Diagnostic } from "./support/compile.js";
import { CORRECT_CONSUMER, MISTAKES, type Compiler } from "./support/github-consumers.js";
import { githubManifest } from "./support/github-manifest.js";
import { CURSOR, openEditor, type Editor } from "./support/language-service.js";
import { goStructure, goSyntaxErrors, hasGofmt, jsSyntaxErrors, pythonSyntaxErrors, shellSyntaxErrors } from "./support/snippet-syntax.js";
import { tsc7, type Tsc7Result } from "./support/tsc7.js";

/** Snippets in every language for these: path parameters, bodies (POST/PUT/PATCH), pagination (link and page), no input at all. */
const SNIPPET_SAMPLE = [
  "issues.create",
  "issues.listForRepo",
  "issues.update",
  "repos.get",
  "repos.createOrUpdateFileContents",
  "pulls.create",
  "search.repos",
  "users.getAuthenticated",
  "gists.create",
  "reactions.createForIssue",
  "git.createTree",
];
const EXTENSIONS: Record<SnippetLanguage, string> = { ts: "ts", js: "mjs", python: "py", curl: "sh", go: "go" };
const COMPILE_MS = 180_000;
const CLIENT = ["waygate/index.ts", "waygate/github.ts", "waygate/github.types.d.ts", "waygate/runtime.d.ts"];

let manifest: SdkManifest;
let integration: ManifestIntegration;
let files: Map<string, string>;
let dir: string;
/** Every file written to `dir`: the client under waygate/, snippets and consumer code. */
let written: Map<string, string>;
let generateMs = 0;
let sample: ActionDefinition[];
/** Snippet file names per language, in sample order (TS also has every 60th action). */
const snippetFiles: Record<SnippetLanguage, string[]> = { ts: [], js: [], python: [], curl: [], go: [] };

beforeAll(async () => {
  manifest = await githubManifest();
  integration = manifest.integrations[0]!;
  const started = performance.now();
  files = generateClient(manifest, { generatorVersion: "0.0.0-test" });
  generateMs = performance.now() - started;

  const templates = loadTemplates();
  sample = SNIPPET_SAMPLE.map((name) => {
    const action = integration.actions.find((candidate) => candidate.name === name);
    if (!action) throw new Error(`the GitHub spec has no ${name}`);
    return action;
  });
  const tree = new Map([...files].map(([path, text]) => [`waygate/${path}`, text]));
  const render = (action: ActionDefinition, lang: SnippetLanguage, file: string): void => {
    tree.set(file, renderSnippet(integration, action, lang, { apiUrl: manifest.apiUrl, templates }));
    snippetFiles[lang].push(file);
  };
  sample.forEach((action, index) => {
    for (const lang of SNIPPET_LANGUAGES) render(action, lang, `snippet-${index}.${EXTENSIONS[lang]}`);
  });
  integration.actions.forEach((action, index) => {
    if (index % 60 === 0) render(action, "ts", `snippet-every-60th-${index}.ts`);
  });
  for (const consumer of [CORRECT_CONSUMER, ...MISTAKES]) tree.set(consumer.file, consumer.source);
  written = tree;
  dir = writeFiles(tree);
}, COMPILE_MS);

afterAll(() => removeDir(dir));

/**
 * Each compiler and module setting runs once, over everything that must compile; the
 * mistakes get a run of their own (where their errors are the point). Runs are shared
 * by the tests that read them.
 */
// Snippets and consumer code are scripts (top-level await, process.env, unannotated exports): NodeNext, no isolatedDeclarations.
const SCRIPTS = { ...SETTINGS.nodenext, isolatedDeclarations: false };
const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let result: Promise<T> | undefined;
  return () => (result ??= make());
};
const runs = {
  "5.9 nodenext": once(async () => diagnose(dir, [...CLIENT, ...snippetFiles.ts, CORRECT_CONSUMER.file], SCRIPTS)),
  "5.9 bundler": once(async () => diagnose(dir, [...CLIENT, CORRECT_CONSUMER.file], settings("strictest", "bundler"))),
  "7 nodenext": once(() => tsc7(dir, [...CLIENT, ...snippetFiles.ts, CORRECT_CONSUMER.file], SCRIPTS, "nodenext")),
  "7 bundler": once(() => tsc7(dir, [...CLIENT, CORRECT_CONSUMER.file], settings("strictest", "bundler"), "bundler")),
  "5.9 mistakes": once(async () => diagnose(dir, MISTAKES.map((mistake) => mistake.file), SCRIPTS)),
  "7 mistakes": once(async () => (await tsc7(dir, MISTAKES.map((mistake) => mistake.file), SCRIPTS, "mistakes")).diagnostics),
};
async function diagnostics(compiler: Compiler, setting: "nodenext" | "bundler"): Promise<Diagnostic[]> {
  const result = await runs[`${compiler} ${setting}`]();
  return Array.isArray(result) ? result : result.diagnostics;
}
const inFiles = (found: Diagnostic[], names: readonly string[]): string[] => found.filter((d) => names.includes(d.file)).map(formatDiagnostic);

describe("GitHub REST API", () => {
  test("a declaration file with named types and a nested client interface, and a module binding every action", () => {
    const groupModules = [...files.keys()].filter((path) => /^github\.[a-z0-9-]+\.js$/.test(path));
    expect(groupModules).toContain("github.issues.js");
    expect(groupModules.length).toBeGreaterThan(20);
    // Each group module with its declarations beside it.
    const groupDeclarations = groupModules.map((path) => path.replace(/\.js$/, ".d.ts"));
    expect(groupDeclarations.every((path) => files.has(path))).toBe(true);
    expect([...files.keys()].filter((path) => !groupModules.includes(path) && !groupDeclarations.includes(path))).toEqual(["github.groups.lazy.d.ts", "github.groups.lazy.js", "github.ts", "github.types.d.ts", "index.ts", "runtime-batch.d.ts", "runtime-batch.js", "runtime-error-map.d.ts", "runtime-error-map.js", "runtime-errors.d.ts", "runtime-errors.js", "runtime-paging.d.ts", "runtime-paging.js", "runtime-request.d.ts", "runtime-request.js", "runtime.d.ts", "runtime.js"]);
    const types = files.get("github.types.d.ts") ?? "";
    expect(integration.actions.length).toBeGreaterThan(1000);
    expect(types).toContain("export type IssuesCreateInput = {");
    expect(types).toMatch(/readonly listForOrg: runtime\.PaginatedAction<ReposListForOrgInput, ReposListForOrgOutput, ReposListForOrgItem>;/);
    expect(types).toMatch(/export type ReposListForOrgItem = MinimalRepository;/);
    // 204 answers are void, text/html a string, GitHub's octocat image bytes.
    expect(types).toMatch(/export type ReposDeleteOutput = void;/);
    expect(types).toMatch(/export type MarkdownRenderOutput = string;/);
    expect(types).toMatch(/export type MetaGetOctocatOutput = ArrayBuffer;/);
    // Components shared by many operations are emitted once.
    expect(types.match(/^export type SimpleUser = /gm)).toHaveLength(1);
    // github.ts, which consumers' builds do check, holds one line per group in one template literal; each group's
    // module holds one line per action of the group, so the groups' tables together hold every action once.
    const module = files.get("github.ts") ?? "";
    expect(module).toContain(`export type * from "./github.types.js";`);
    const table = /^const ACTIONS = `\n([^`]*)`;$/m.exec(module)?.[1] ?? "";
    const groupLines = table.split("\n").filter((line) => line !== "");
    expect(groupLines).toHaveLength(groupModules.length);
    expect(groupLines.every((line) => /^[A-Za-z]\w*$/.test(line))).toBe(true);
    const rows = groupModules.flatMap((path) => (/^export const actionTable = `\n([^`]*)`;$/m.exec(files.get(path) ?? "")?.[1] ?? "").split("\n").filter((line) => line !== ""));
    expect(rows).toHaveLength(integration.actions.length);
    const issues = files.get("github.issues.js") ?? "";
    expect(issues).toContain("\nissues.create POST\n");
    expect(issues).toContain("\nissues.listForRepo GET *\n");
    expect(files.get("github.repos.js")).toContain("\nrepos.delete DELETE :empty\n");
    // What a bundle of github.ts or index.ts holds up front: a few bytes per group, none per action.
    expect(module.length).toBeLessThan(4_000);
    expect(module.length).toBeLessThan(types.length / 400);
  });

  test("generates in well under a minute (benchmarks/generate-github.mjs measures it properly)", () => {
    expect(generateMs).toBeLessThan(60_000);
  });

  test("is deterministic", () => {
    const again = generateClient(manifest, { generatorVersion: "0.0.0-test" });
    expect(again.get("github.ts") === files.get("github.ts")).toBe(true);
    expect(again.get("github.types.d.ts") === files.get("github.types.d.ts")).toBe(true);
  });
});

// NodeNext also holds the snippets (scripts: no isolatedDeclarations); bundler checks the client alone with every strict flag, as a library build would.
describe("compiles with tsc --strict (exactOptionalPropertyTypes, noUncheckedIndexedAccess), with the consumer code and TS snippets", () => {
  test.each(["nodenext", "bundler"] as const)("TypeScript 5.9 under %s: zero diagnostics", async (setting) => {
    expect((await diagnostics("5.9", setting)).map(formatDiagnostic)).toEqual([]);
  }, COMPILE_MS);

  test.each(["nodenext", "bundler"] as const)("TypeScript 7 under %s: exit 0 and no output", async (setting) => {
    const result: Tsc7Result = await runs[`7 ${setting}`]();
    expect({ exitCode: result.exitCode, output: result.output }).toEqual({ exitCode: 0, output: "" });
  }, COMPILE_MS);
});

describe("application code against the client", () => {
  test.each(["5.9", "7"] as const)("TypeScript %s accepts three actions used as documented: named types, pagination, request options, typed errors", async (compiler) => {
    expect(inFiles(await diagnostics(compiler, "nodenext"), [CORRECT_CONSUMER.file])).toEqual([]);
    expect(inFiles(await diagnostics(compiler, "bundler"), [CORRECT_CONSUMER.file])).toEqual([]);
  }, COMPILE_MS);

  describe.each(["5.9", "7"] as const)("TypeScript %s rejects", (compiler) => {
    test.each(MISTAKES.map((mistake) => [mistake.mistake, mistake] as const))("%s", async (_name, mistake) => {
      const found = (await runs[`${compiler} mistakes`]()).filter((diagnostic) => diagnostic.file === mistake.file);
      expect(found.map((diagnostic) => diagnostic.code), found.map(formatDiagnostic).join("\n")).toEqual(mistake.codes[compiler]);
      for (const diagnostic of found) for (const text of mistake.mentions) expect(diagnostic.message).toContain(text);
    }, COMPILE_MS);
  });
});

describe("autocomplete and hover (TypeScript 5.9 language service)", () => {
  const prelude = `import { createWaygate } from "./waygate/index.js";\nconst wg = createWaygate({ apiKey: "k" });\n`;
  let editor: Editor;
  beforeAll(() => {
    editor = openEditor(
      dir,
      {
        "editor-root.ts": `${prelude}wg.${CURSOR}`,
        "editor-integration.ts": `${prelude}wg.github.${CURSOR}`,
        "editor-group.ts": `${prelude}wg.github.issues.${CURSOR}`,
        "editor-input.ts": `${prelude}void wg.github.issues.create({ ${CURSOR} });`,
        "editor-hover.ts": `${prelude}void wg.github.issues.cre${CURSOR}ate({ owner: "o", repo: "r", title: "t" });`,
      },
      SETTINGS.nodenext,
    );
  });

  test("`wg.` offers the integrations", () => {
    expect(editor.completions("editor-root.ts")).toContain("github");
  }, COMPILE_MS);

  test("`wg.github.` offers the API's groups", () => {
    expect(editor.completions("editor-integration.ts")).toEqual(expect.arrayContaining(["issues", "repos", "pulls", "actions"]));
  }, COMPILE_MS);

  test("`wg.github.issues.` offers the group's actions, and only them", () => {
    const names = editor.completions("editor-group.ts");
    expect(names).toEqual(expect.arrayContaining(["create", "listForRepo", "update", "get"]));
    expect(names).not.toContain("repos");
  }, COMPILE_MS);

  test("inside `wg.github.issues.create({ })` the input fields are offered", () => {
    expect(editor.completions("editor-input.ts")).toEqual(expect.arrayContaining(["owner", "repo", "title", "body", "labels", "assignees"]));
  }, COMPILE_MS);

  test("the completion for `create` carries the action's summary", () => {
    expect(editor.completionDocumentation("editor-group.ts", "create")).toContain("Create an issue");
  }, COMPILE_MS);

  test("hovering `create` shows its type, summary, HTTP route and an example", () => {
    const info = editor.quickInfo("editor-hover.ts");
    expect(info?.display).toBe("(property) create: Action\n(input: IssuesCreateInput, options?: RequestOptions) => Promise<Issue>");
    expect(info?.documentation).toMatch(/^Create an issue\n/);
    expect(info?.documentation).toContain("`POST /repos/{owner}/{repo}/issues`");
    expect(info?.tags.find((tag) => tag.name === "example")?.text).toContain("await wg.github.issues.create({ owner: ");
  }, COMPILE_MS);
});

describe("snippets for a sample of actions parse in every language", () => {
  test("the sample has path parameters, request bodies and paginated actions", () => {
    expect(sample.some((action) => /\{[^}]+\}/.test(action.path))).toBe(true);
    expect(sample.filter((action) => ["POST", "PUT", "PATCH"].includes(action.method)).length).toBeGreaterThanOrEqual(4);
    expect(sample.map((action) => action.pagination?.strategy).filter(Boolean)).toEqual(expect.arrayContaining(["link", "page"]));
    expect(sample.map((action) => exampleFromSchema(action.inputSchema))).toContainEqual({});
  });

  test.each(["5.9", "7"] as const)("TypeScript: type-checks against the generated client with TypeScript %s", async (compiler) => {
    expect(snippetFiles.ts.length).toBeGreaterThan(SNIPPET_SAMPLE.length);
    expect(inFiles(await diagnostics(compiler, "nodenext"), snippetFiles.ts)).toEqual([]);
  }, COMPILE_MS);

  test("JavaScript: node --check", () => {
    expect(jsSyntaxErrors(dir, snippetFiles.js)).toEqual([]);
  }, COMPILE_MS);

  test("Python: python3 -m py_compile", () => {
    expect(pythonSyntaxErrors(dir, snippetFiles.python)).toEqual([]);
  }, COMPILE_MS);

  test("curl: bash -n", () => {
    expect(shellSyntaxErrors(dir, snippetFiles.curl)).toEqual([]);
  }, COMPILE_MS);

  const gofmt = hasGofmt();
  test(
    gofmt
      ? "Go: gofmt -e (gofmt is installed), and the body literal is the example input"
      : "Go: gofmt is not installed, so structurally: only escaped string literals differ from the template, and the body literal is the example input",
    () => {
      const template = loadTemplates().snippets.go;
      sample.forEach((action, index) => {
        expect(goStructure(written.get(`snippet-${index}.go`) ?? "", resolveSections(template, snippetFlags(action, {}))), action.name).toEqual({
          input: JSON.parse(JSON.stringify(exampleFromSchema(action.inputSchema))),
          codeMatchesTemplate: true,
        });
      });
      if (gofmt) expect(goSyntaxErrors(dir, snippetFiles.go)).toEqual([]);
    },
    COMPILE_MS,
  );
});
