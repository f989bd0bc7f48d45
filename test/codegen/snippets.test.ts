import { execFileSync } from "node:child_process";
import ts from "typescript";
import { afterAll, describe, expect, test } from "vitest";
import { exampleFromSchema, generateClient, loadTemplates, renderSnippet, SNIPPET_LANGUAGES } from "../../src/codegen/index.js";
import type { SdkManifest } from "../../src/contract/sdk.js";
import { COMPILE_TIMEOUT_MS, removeDir, SETTINGS, typecheck, writeFiles } from "./support/compile.js";
import { loadManifest, loadRawManifest } from "./support/manifests.js";
import { goStructure, goSyntaxErrors, hasGofmt } from "./support/snippet-syntax.js";

const API_URL = "https://api.waygate.test";
const templates = loadTemplates();
const small = loadManifest("small-manifest.json");
const hostile = loadRawManifest("hostile-manifest.json");
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function snippets(manifest: SdkManifest, lang: (typeof SNIPPET_LANGUAGES)[number]): { name: string; input: unknown; text: string }[] {
  return manifest.integrations.flatMap((integration) =>
    integration.actions.map((action) => ({
      name: `${integration.slug}/${action.name}`,
      input: exampleFromSchema(action.inputSchema),
      text: renderSnippet(integration, action, lang, { apiUrl: manifest.apiUrl, templates }),
    })),
  );
}

const postMessage = small.integrations.find((integration) => integration.slug === "slack")!;
const postMessageAction = postMessage.actions.find((action) => action.name === "chat.postMessage")!;

describe("renderSnippet", () => {
  test.each(SNIPPET_LANGUAGES)("%s snippet for slack chat.postMessage matches its snapshot", async (lang) => {
    const text = renderSnippet(postMessage, postMessageAction, lang, { apiUrl: API_URL, templates });
    await expect(text).toMatchFileSnapshot(`./__snapshots__/snippets/chat.postMessage.${lang}.snap`);
  });

  test("rejects an unknown language", () => {
    expect(() => renderSnippet(postMessage, postMessageAction, "cobol" as "ts", { apiUrl: API_URL, templates })).toThrow(/unknown snippet language/);
  });

  test.each([
    ["small", small],
    ["hostile", hostile],
  ] as const)("TS snippets type-check against the generated %s client", (_name, manifest) => {
    const files = new Map([...generateClient(manifest, { generatorVersion: "0.0.0-test" })].map(([path, text]) => [`waygate/${path}`, text]));
    const rendered = snippets(manifest, "ts");
    rendered.forEach((snippet, index) => files.set(`snippet-${index}.ts`, snippet.text));
    const dir = writeFiles(files);
    dirs.push(dir);
    const roots = rendered.map((_, index) => `snippet-${index}.ts`);
    expect(typecheck(dir, roots, { ...SETTINGS.nodenext, isolatedDeclarations: false, noUnusedLocals: false })).toEqual([]);
  }, COMPILE_TIMEOUT_MS);

  test.each([
    ["small", small],
    ["hostile", hostile],
  ] as const)("JS snippets for the %s manifest parse", (_name, manifest) => {
    for (const snippet of snippets(manifest, "js")) {
      const source = ts.createSourceFile("snippet.mjs", snippet.text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
      const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
      expect(diagnostics.map((diagnostic) => diagnostic.messageText), snippet.name).toEqual([]);
    }
  });

  test.each([
    ["small", small],
    ["hostile", hostile],
  ] as const)("Python snippets for the %s manifest parse, and their json= literal is the example input", (_name, manifest) => {
    const rendered = snippets(manifest, "python");
    // One python3 run for all snippets: parse each, then evaluate the `json=` argument.
    const script = [
      "import ast, json, sys",
      "out = []",
      "for text in json.load(sys.stdin):",
      "    tree = ast.parse(text)",
      "    call = next(node for node in ast.walk(tree) if isinstance(node, ast.Call) and any(k.arg == 'json' for k in node.keywords))",
      "    value = ast.literal_eval(next(k.value for k in call.keywords if k.arg == 'json'))",
      "    out.append(value['input'])",
      "print(json.dumps(out))",
    ].join("\n");
    const stdout = execFileSync("python3", ["-c", script], { input: JSON.stringify(rendered.map((snippet) => snippet.text)), encoding: "utf8" });
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(rendered.map((snippet) => snippet.input))));
  });

  test.each([
    ["small", small],
    ["hostile", hostile],
  ] as const)("curl snippets for the %s manifest pass exactly the intended arguments to curl", (_name, manifest) => {
    const rendered = snippets(manifest, "curl");
    // A shell function stands in for curl and prints its arguments NUL-separated; one bash run for all snippets.
    const script = ["curl() { printf '%s\\0' \"$@\"; printf '\\n--end--\\n'; }", ...rendered.map((snippet) => snippet.text)].join("\n");
    const runs = execFileSync("bash", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", WAYGATE_API_KEY: "wg_key" } })
      .split("\n--end--\n")
      .slice(0, -1);
    expect(runs).toHaveLength(rendered.length);
    rendered.forEach((snippet, index) => {
      const args = (runs[index] ?? "").split("\0").slice(0, -1);
      expect(args.slice(0, 3), snippet.name).toEqual(["-X", "POST", expect.stringMatching(/^https?:\/\/[\x21-\x7e]+\/v1\/invoke\//)]);
      expect(args).toContain("Authorization: Bearer wg_key");
      expect(JSON.parse(args[args.length - 1] ?? ""), snippet.name).toEqual({ input: JSON.parse(JSON.stringify(snippet.input)), connection: "user_42" });
    });
  });

  test.each([
    ["small", small],
    ["hostile", hostile],
  ] as const)("Go snippets for the %s manifest hold only well-formed string literals carrying the example body", (_name, manifest) => {
    for (const snippet of snippets(manifest, "go")) {
      // Everything outside string literals is the template's own Go code.
      expect(goStructure(snippet.text, templates.snippets.go), snippet.name).toEqual({
        body: { input: JSON.parse(JSON.stringify(snippet.input)), connection: "user_42" },
        codeMatchesTemplate: true,
      });
    }
    if (hasGofmt()) {
      const rendered = snippets(manifest, "go");
      const dir = writeFiles(new Map(rendered.map((snippet, index) => [`snippet-${index}.go`, snippet.text])));
      dirs.push(dir);
      expect(goSyntaxErrors(dir, rendered.map((_, index) => `snippet-${index}.go`))).toEqual([]);
    }
  });
});
