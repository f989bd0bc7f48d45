/**
 * The invoke protocol has one owner, src/contract/invoke.ts. The generated runtime
 * (templates/runtime.ts, which has no dependencies and so keeps its own copy) and the
 * snippet templates may use only the header names and problem types it declares.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, test } from "vitest";
import { compileRuntime, RUNTIME_MODULES } from "../../src/codegen/runtime-build.js";
import { templatesDir } from "../../src/codegen/templates.js";
import { invokeProtocolHeaders, InvokeProblemTypes } from "../../src/contract/invoke.js";
import { problemTypeUri, problemTypes, type ProblemKind } from "../../src/contract/problem.js";
import { removeDir, writeFiles } from "./support/compile.js";

const sourceOf = (module: string): string => readFileSync(join(templatesDir(), `${module}.ts`), "utf8");
/** runtime.ts and the modules it loads later (runtime-errors.ts, runtime-error-map.ts, runtime-paging.ts, runtime-batch.ts, runtime-request.ts). */
const everyRuntimeSource = RUNTIME_MODULES.map(sourceOf).join("\n");
/** Problem types the runtime may name: the invoke path's and the API's generic ones (a bad key, an unknown integration…). */
const declaredProblemTypes = new Set<string>([...Object.values(InvokeProblemTypes), ...(Object.keys(problemTypes) as ProblemKind[]).map(problemTypeUri)]);
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/** Every string literal and template-literal text in a TypeScript source. */
function stringLiterals(source: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile("runtime.ts", source, ts.ScriptTarget.ES2022, true));
  return found;
}

/** Header names as the runtime writes them: lower-case; anything that reads `x-…`, or a header name it sends or reads. */
const HEADER_LIKE = /^(x-[a-z0-9-]+|idempotency-key|authorization|content-type|accept|retry-after(-ms)?|server|etag|link|location|user-agent|cookie)$/i;
/** Header names in a snippet template, in any language and case. */
const HEADER_IN_TEXT = /\b(x-[a-z0-9]+(?:-[a-z0-9]+)*|idempotency-key|authorization|content-type|accept|retry-after(?:-ms)?)\b/gi;

describe("templates/runtime.ts speaks only the declared protocol", () => {
  test("every header name it sends or reads is in invokeProtocolHeaders", () => {
    const headers = stringLiterals(everyRuntimeSource).filter((text) => HEADER_LIKE.test(text));
    expect(headers.length).toBeGreaterThan(10);
    expect(headers.filter((name) => !invokeProtocolHeaders.has(name))).toEqual([]);
  });

  test("ProblemTypes, and the types it maps to error classes, are declared ones; every invoke problem type has a constant", async () => {
    const dir = writeFiles(new Map(["runtime", "runtime-errors"].map((module) => [`${module}.js`, compileRuntime(sourceOf(module), ts).js])));
    dirs.push(dir);
    const runtime = (await import(pathToFileURL(join(dir, "runtime-errors.js")).href)) as { ProblemTypes: Record<string, string> };
    const values = Object.values(runtime.ProblemTypes);
    expect(values.filter((type) => !declaredProblemTypes.has(type))).toEqual([]);
    expect(runtime.ProblemTypes).toMatchObject(InvokeProblemTypes);
    const mapped = [...everyRuntimeSource.matchAll(/^\s*\["([a-z-]+)", [A-Za-z]+Error\],$/gm)].map((match) => `https://waygate.dev/problems/${match[1]}`);
    expect(mapped.length).toBeGreaterThan(10);
    expect(mapped.filter((type) => !declaredProblemTypes.has(type))).toEqual([]);
  });

  test("the ProblemTypeUrls interface spells out exactly the values ProblemTypes holds", () => {
    const spelled = [...sourceOf("runtime-errors").matchAll(/^\s*readonly (\w+): "(https:\/\/waygate\.dev\/problems\/[a-z-]+)";$/gm)].map((match) => [match[1], match[2]]);
    const { js } = compileRuntime(sourceOf("runtime-errors"), ts);
    const slugs = /const slugs =([^;]+);/.exec(js)?.[1] ?? "";
    const built = Function(`return ${slugs}`)() as string;
    expect(Object.fromEntries(spelled)).toEqual(Object.fromEntries(built.split(" ").map((slug) => [slug.replace(/-(.)/g, (_d, l: string) => l.toUpperCase()), `https://waygate.dev/problems/${slug}`])));
  });
});

describe("snippet templates speak only the declared protocol", () => {
  const dir = join(templatesDir(), "snippets");
  test.each(readdirSync(dir).filter((file) => file.endsWith(".tpl")))("%s names only headers in invokeProtocolHeaders", (file) => {
    const text = readFileSync(join(dir, file), "utf8");
    const undeclared = [...new Set([...text.matchAll(HEADER_IN_TEXT)].map((match) => (match[1] ?? "").toLowerCase()))].filter((name) => !invokeProtocolHeaders.has(name));
    expect(undeclared).toEqual([]);
  });

  test.each(readdirSync(dir).filter((file) => file.endsWith(".tpl")))("%s names only declared problem types", (file) => {
    const text = readFileSync(join(dir, file), "utf8");
    const types = [...text.matchAll(/https:\/\/waygate\.dev\/problems\/[a-z-]+/g)].map((match) => match[0]);
    expect(types.filter((type) => !declaredProblemTypes.has(type))).toEqual([]);
  });
});
