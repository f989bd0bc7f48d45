/**
 * A manifest built to break the generator (fixtures/codegen/hostile-manifest.json):
 * names that collide with runtime exports or make objects thenable, comment and string
 * terminators, U+2028, bidi overrides, prototype keys, ref injection, cycles, deep
 * nesting. The output must compile, and nothing in it may run except what the
 * generator wrote.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateClient } from "../../src/codegen/index.js";
import { COMPILE_TIMEOUT_MS, removeDir, settings, transpile, tsFiles, typecheck, writeFiles } from "./support/compile.js";
import { at, type GeneratedModule, type Paged } from "./support/load-client.js";
import { loadRawManifest } from "./support/manifests.js";
import { tsc7 } from "./support/tsc7.js";

const CANARY = "__waygatePwned";
const manifest = loadRawManifest("hostile-manifest.json");
// Every integration with groups loads them later (lazyGroupsAboveBytes 0), so the group loaders, the group lines and the
// runtime's stand-ins for groups not loaded yet face the hostile names too.
const files = generateClient(manifest, { generatorVersion: "0.0.0\n" + "globalThis.__waygatePwned = 1", lazyGroupsAboveBytes: 0 });
let dir: string;

beforeAll(() => {
  dir = writeFiles(files);
});
afterAll(() => removeDir(dir));

describe("hostile manifest", () => {
  test.each(["nodenext", "bundler"] as const)("compiles with zero diagnostics under %s with TypeScript 5.9 and every strict flag", (setting) => {
    expect(typecheck(dir, tsFiles(files.keys()), settings("strictest", setting))).toEqual([]);
  }, COMPILE_TIMEOUT_MS);

  test.each(["nodenext", "bundler"] as const)("compiles under %s with TypeScript 7 and every strict flag: exit 0 and no output", async (setting) => {
    const result = await tsc7(dir, tsFiles(files.keys()), settings("strictest", setting), setting);
    expect({ exitCode: result.exitCode, output: result.output }).toEqual({ exitCode: 0, output: "" });
  }, COMPILE_TIMEOUT_MS);

  test("file names never collide with index.ts/runtime.ts, Windows device names or each other's types files", () => {
    const modules = ["0day", "a-b", "con-", "constructor", "create-waygate", "index-", "proto", "runtime-", "then", "waygate-error"];
    // The `then` integration's top-level groups, one module each: `Issues` and `issues` may not share a file on a case-insensitive disk.
    // `then.groups.lazy.js` (with its .d.ts) loads them: two dots, so no group's module can be named like it.
    const groups = ["a-b", "a", "class", "issues", "issues2", "proto", "prototype", "unicode", "x-y"].flatMap((group) => [`then.${group}.d.ts`, `then.${group}.js`]);
    const expected = [...modules.flatMap((module) => [`${module}.ts`, `${module}.types.d.ts`]), ...groups, "then.groups.lazy.d.ts", "then.groups.lazy.js", "index.ts", "runtime-batch.d.ts", "runtime-batch.js", "runtime-error-map.d.ts", "runtime-error-map.js", "runtime-errors.d.ts", "runtime-errors.js", "runtime-paging.d.ts", "runtime-paging.js", "runtime-request.d.ts", "runtime-request.js", "runtime.d.ts", "runtime.js"];
    expect([...files.keys()]).toEqual(expected.sort());
  });

  test("no invisible, bidi or line-separator character survives anywhere in the output", () => {
    for (const text of files.values()) {
      expect(text).not.toMatch(/[\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/);
    }
  });

  test("integration types files declare only types and the Client interface", () => {
    for (const [path, text] of files) {
      if (!path.endsWith(".types.d.ts")) continue;
      const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
      for (const statement of source.statements) {
        if (ts.isImportDeclaration(statement)) expect([statement.importClause?.isTypeOnly, moduleOf(statement)]).toEqual([true, "./runtime.js"]);
        else if (ts.isExportDeclaration(statement)) expect(statement.exportClause && ts.isNamedExports(statement.exportClause) && statement.exportClause.elements.length).toBe(0);
        else expect(ts.isTypeAliasDeclaration(statement) || ts.isInterfaceDeclaration(statement), ts.SyntaxKind[statement.kind]).toBe(true);
      }
    }
  });

  test("integration modules hold only imports, the types re-export, one template literal and the functions that hand it to the runtime", () => {
    for (const [path, text] of files) {
      if (path === "index.ts" || !path.endsWith(".ts") || path.endsWith(".d.ts") || isGroupModule(path) || isGroupLoader(path)) continue;
      const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
      const typesModule = `./${path.replace(/\.ts$/, ".types.js")}`;
      const loader = `./${path.replace(/\.ts$/, ".groups.lazy.js")}`;
      const hasGroups = files.has(loader.slice(2));
      const shape = [ts.isImportDeclaration, ts.isImportDeclaration, ts.isExportDeclaration, ts.isVariableStatement, ts.isFunctionDeclaration, ts.isFunctionDeclaration, ...(hasGroups ? [ts.isFunctionDeclaration] : [])];
      expect(source.statements.map((statement, index) => shape[index]?.(statement) ?? false)).toEqual(shape.map(() => true));
      const [runtimeImport, typesImport, reexport, table, bind, create, loadGroup] = source.statements as unknown as [
        ts.ImportDeclaration,
        ts.ImportDeclaration,
        ts.ExportDeclaration,
        ts.VariableStatement,
        ts.FunctionDeclaration,
        ts.FunctionDeclaration,
        ts.FunctionDeclaration | undefined,
      ];
      expect(moduleOf(runtimeImport)).toBe("./runtime.js");
      expect([typesImport.importClause?.isTypeOnly, moduleOf(typesImport)]).toEqual([true, typesModule]);
      expect([reexport.isTypeOnly, reexport.exportClause, moduleOf(reexport)]).toEqual([true, undefined, typesModule]);
      expect(isActionTable(table)).toBe(true);
      const extensions = hasGroups ? "extensions and groupModules(loadGroup)" : "extensions";
      expect([bind.name?.text, returned(bind) && isRuntimeCall(returned(bind)!, "Client", "bindIntegration", ["transport", "string", "number", "ACTIONS", extensions])]).toEqual(["bindClient", true]);
      expect([create.name?.text, returned(create) && isRuntimeCall(returned(create)!, "Waygate", "createRoot", ["options", "bindings"])]).toEqual(["createWaygate", true]);
      // Not exported; its one statement imports the loader by a literal specifier and asks it for the member's group.
      if (loadGroup) {
        expect([loadGroup.name?.text, loadGroup.modifiers]).toEqual(["loadGroup", undefined]);
        expect(returned(loadGroup)?.getText(source)).toBe(`import(${JSON.stringify(loader)}).then((groups) => groups.loadGroup(member))`);
      }
    }
  });

  test("group loaders hold one switch of literal import()s of the group modules, and nothing else", () => {
    const loaders = [...files.keys()].filter(isGroupLoader);
    expect(loaders).toEqual(["then.groups.lazy.js"]);
    const source = ts.createSourceFile("then.groups.lazy.js", files.get("then.groups.lazy.js") ?? "", ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
    const [loadGroup, ...rest] = source.statements;
    expect(rest).toEqual([]);
    expect(loadGroup && ts.isFunctionDeclaration(loadGroup) && loadGroup.name?.text).toBe("loadGroup");
    // Its declarations: one function, and the runtime's types; nothing a compiler would follow into the group modules.
    const declarations = ts.createSourceFile("then.groups.lazy.d.ts", files.get("then.groups.lazy.d.ts") ?? "", ts.ScriptTarget.ES2022, true);
    expect(declarations.statements.map((statement) => statement.getText(declarations).replace(/^\/\*\*[\s\S]*?\*\/\s*/, ""))).toEqual([
      `import type * as runtime from "./runtime.js";`,
      "export declare function loadGroup(member: string): Promise<runtime.GroupModule>;",
    ]);
    const body = (loadGroup as ts.FunctionDeclaration).body?.statements ?? [];
    expect(body.length === 1 && body[0] && ts.isSwitchStatement(body[0])).toBe(true);
    const clauses = (body[0] as ts.SwitchStatement).caseBlock.clauses;
    const groupModules = [...files.keys()].filter(isGroupModule).map((path) => `./${path}`);
    const imported = clauses.filter(ts.isCaseClause).map((clause) => {
      const [statement, ...more] = clause.statements;
      const call = statement && ts.isReturnStatement(statement) ? statement.expression : undefined;
      const literal = ts.isStringLiteral(clause.expression) && more.length === 0 && call && ts.isCallExpression(call) && call.expression.kind === ts.SyntaxKind.ImportKeyword && call.arguments.length === 1 && ts.isStringLiteral(call.arguments[0]!);
      return literal ? (call.arguments[0] as ts.StringLiteral).text : "not a literal import()";
    });
    expect(imported.sort()).toEqual(groupModules.sort());
    // The member names are string literals: `__proto__`, `constructor` and `then` are just cases.
    expect(clauses.filter(ts.isCaseClause).every((clause) => ts.isStringLiteral(clause.expression))).toBe(true);
  });

  test("group modules hold only the runtime import, one template literal and createWaygate; their declarations only types", () => {
    const groupModules = [...files.keys()].filter(isGroupModule);
    expect(groupModules.length).toBeGreaterThan(0);
    for (const path of groupModules) {
      const source = ts.createSourceFile(path, files.get(path) ?? "", ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
      const shape = [ts.isImportDeclaration, ts.isVariableStatement, ts.isFunctionDeclaration];
      expect(source.statements.map((statement, index) => shape[index]?.(statement) ?? false)).toEqual(shape.map(() => true));
      const [runtimeImport, table, create] = source.statements as unknown as [ts.ImportDeclaration, ts.VariableStatement, ts.FunctionDeclaration];
      expect(moduleOf(runtimeImport)).toBe("./runtime.js");
      // Exported: the integration's module loads it from here.
      expect(isActionTable(table, "export")).toBe(true);
      const call = returned(create);
      expect([create.name?.text, call && isRuntimeCall(call, undefined, "createRoot", ["options", "?"])]).toEqual(["createWaygate", true]);
      // The one binding hands this module's table, and nothing else, to the runtime.
      const binding = call && ts.isCallExpression(call) ? call.arguments[1]?.getText(source) : undefined;
      expect(binding).toMatch(/^\[\["then\$", \(transport\) => runtime\.bindIntegration\(transport, "then", \d+, actionTable, \[(runtime\.paging)?\]\)\]\]$/);

      const declarationsPath = path.replace(/\.js$/, ".d.ts");
      const declarations = ts.createSourceFile(declarationsPath, files.get(declarationsPath) ?? "", ts.ScriptTarget.ES2022, true);
      const declared = [ts.isImportDeclaration, ts.isImportDeclaration, ts.isExportDeclaration, ts.isVariableStatement, ts.isInterfaceDeclaration, ts.isFunctionDeclaration];
      expect(declarations.statements.map((statement, index) => declared[index]?.(statement) ?? false)).toEqual(declared.map(() => true));
      const [runtimeTypes, typesImport, reexport, tableType, , createType] = declarations.statements as unknown as [ts.ImportDeclaration, ts.ImportDeclaration, ts.ExportDeclaration, ts.VariableStatement, ts.InterfaceDeclaration, ts.FunctionDeclaration];
      expect([runtimeTypes.importClause?.isTypeOnly, moduleOf(runtimeTypes)]).toEqual([true, "./runtime.js"]);
      expect([typesImport.importClause?.isTypeOnly, moduleOf(typesImport)]).toEqual([true, "./then.types.js"]);
      expect([reexport.isTypeOnly, reexport.exportClause, moduleOf(reexport)]).toEqual([true, undefined, "./then.types.js"]);
      // Declarations only: `declare`, no initialiser, no body.
      expect(tableType.getText(declarations).replace(/^\/\*\*[\s\S]*?\*\/\s*/, "")).toBe("export declare const actionTable: runtime.ActionTable;");
      expect([createType.name?.text, createType.body]).toEqual(["createWaygate", undefined]);
    }
  });

  test("index.ts holds only imports, re-exports, the Waygate interface and createWaygate over the modules' bindClient", () => {
    const source = ts.createSourceFile("index.ts", files.get("index.ts") ?? "", ts.ScriptTarget.ES2022, true);
    const kinds = source.statements.map((statement) => ts.SyntaxKind[statement.kind]);
    expect(new Set(kinds)).toEqual(new Set(["ImportDeclaration", "ExportDeclaration", "InterfaceDeclaration", "FunctionDeclaration"]));
    const create = source.statements.find(ts.isFunctionDeclaration);
    expect(create && returned(create) && isRuntimeCall(returned(create)!, "Waygate", "createRoot", ["options", "bindings"])).toBe(true);
  });

  test("the server the manifest came from appears nowhere", () => {
    for (const text of files.values()) expect(text).not.toContain("api.waygate.test");
  });

  test("the header stays one comment line whatever the version and hash hold", () => {
    for (const text of files.values()) expect(text.split("\n")[0]).toMatch(/^\/\/ Generated by waygate [\x20-\x7e]+\. Do not edit\.$/);
  });
});

describe("running the hostile client", () => {
  let generated: GeneratedModule;
  const requests: { url: string; body: Record<string, unknown> }[] = [];
  const fetchStub = async (url: string, init: { body: string }): Promise<Response> => {
    requests.push({ url, body: JSON.parse(init.body) as Record<string, unknown> });
    const hostileKey = "a b`${globalThis.__waygatePwned = 1}`\\\n%41\r\u2028=*:";
    return new Response(JSON.stringify({ items: [{ kind: "record" }], [hostileKey]: { "x/y": [{ kind: "deep" }] } }), { headers: { "content-type": "application/json" } });
  };

  beforeAll(async () => {
    transpile(files, dir);
    generated = (await import(pathToFileURL(join(dir, "index.js")).href)) as GeneratedModule;
  });
  const options = { apiKey: "k", baseUrl: "https://waygate.test", fetch: fetchStub };

  test("importing and building the client runs no injected code", () => {
    generated.createWaygate(options);
    expect(CANARY in globalThis).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("clients can be awaited: no `then` member anywhere makes them thenables", async () => {
    const wg = generated.createWaygate(options);
    requests.length = 0;
    expect(await Promise.resolve(wg)).toBe(wg);
    const thenClient = at<Record<string, unknown>>(wg, "then$");
    expect(await Promise.resolve(thenClient)).toBe(thenClient);
    expect(await Promise.resolve(at(wg, "then$.issues"))).toBe(at(wg, "then$.issues"));
    expect(requests).toEqual([]);
    expect(Object.keys(wg)).toContain("then$");
    expect(Object.keys(thenClient)).toEqual(expect.arrayContaining(["then_", "__proto___", "constructor_", "toJSON_", "toString_"]));
    expect(Object.getPrototypeOf(thenClient)).toBe(Object.prototype);
  });

  test("renamed actions still call the action by its real name", async () => {
    const wg = generated.createWaygate(options);
    requests.length = 0;
    await at(wg, "then$.__proto___.polluted")({ a: 1 });
    await at(wg, "then$.unicode.acao")();
    await at(wg, "then$.xY.globalThis.waygatePwned1")();
    await at(wg, "constructor$.prototype_")();
    expect(requests.map((request) => decodeURIComponent(request.url.split("/v1/invoke/")[1] ?? ""))).toEqual([
      "then/__proto__.polluted",
      "then/\u00fcn\u00efc\u00f6d\u00e9.a\u00e7\u00e3o",
      "then/x*/y.globalThis.__waygatePwned = 1",
      "constructor/prototype",
    ]);
    expect(requests[0]?.url).toBe("https://waygate.test/v1/invoke/then/__proto__.polluted");
    expect(CANARY in globalThis).toBe(false);
  });

  test("hostile pagination fields and item pointers are data, not code", async () => {
    const wg = generated.createWaygate(options);
    requests.length = 0;
    const items: unknown[] = [];
    for await (const item of at<Paged>(wg, "then$.then_").paginate({ __proto__: "x", then: "y", constish: {} })) items.push(item);
    for await (const item of at<Paged>(wg, "then$.hostileItems").paginate()) items.push(item);
    expect(items).toEqual([{ kind: "record" }, { kind: "deep" }]);
    expect(requests.map((request) => decodeURIComponent(request.url.split("/v1/invoke/")[1] ?? ""))).toEqual(["then/then", "then/hostileItems"]);
    expect(CANARY in globalThis).toBe(false);
  });
});

function moduleOf(node: ts.ImportDeclaration | ts.ExportDeclaration): string | undefined {
  return node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : undefined;
}

/** `const ACTIONS = \`…\`;` (or `export const actionTable = \`…\`;`): one template literal without substitutions, and nothing else. */
function isActionTable(statement: ts.VariableStatement, exported?: "export"): boolean {
  const [declaration, ...more] = statement.declarationList.declarations;
  const modifiers = (statement.modifiers ?? []).map((modifier) => modifier.getText());
  if (!declaration || more.length > 0 || modifiers.join(" ") !== (exported ?? "") || !(statement.declarationList.flags & ts.NodeFlags.Const)) return false;
  const name = exported ? "actionTable" : "ACTIONS";
  return ts.isIdentifier(declaration.name) && declaration.name.text === name && declaration.initializer !== undefined && ts.isNoSubstitutionTemplateLiteral(declaration.initializer);
}

/** What a one-statement function returns. */
function returned(fn: ts.FunctionDeclaration): ts.Expression | undefined {
  const body = fn.body?.statements ?? [];
  return body.length === 1 && body[0] && ts.isReturnStatement(body[0]) ? body[0].expression : undefined;
}

/** `then.issues.js`: a module of one group (integration module names hold no dot); its declarations are `then.issues.d.ts`. */
function isGroupModule(path: string): boolean {
  return /^[^.]+\.[^.]+\.js$/.test(path);
}

/** `then.groups.lazy.js`: the loader of an integration's group modules. */
function isGroupLoader(path: string): boolean {
  return /^[^.]+\.groups\.lazy\.js$/.test(path);
}

/**
 * `runtime.<name>(…) as <type>` (without `as` when `type` is undefined: a .js module) with
 * arguments of the given kinds: an identifier's name, a
 * string or number literal, `bindings` for an array of `["<literal>", <identifier>]` pairs,
 * `extensions` for an array of `runtime.<name>`s, `?` for anything else.
 */

function isRuntimeCall(node: ts.Expression, type: string | undefined, name: string, args: readonly string[]): boolean {
  // In JavaScript (`type` undefined) the call is returned as it is.
  if (type !== undefined && (!ts.isAsExpression(node) || !ts.isTypeReferenceNode(node.type) || !ts.isIdentifier(node.type.typeName) || node.type.typeName.text !== type)) return false;
  const call = type === undefined ? node : (node as ts.AsExpression).expression;
  if (!ts.isCallExpression(call) || call.typeArguments) return false;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression) || callee.expression.text !== "runtime" || callee.name.text !== name) return false;
  const kinds = call.arguments.map((argument) => {
    if (ts.isIdentifier(argument)) return argument.text;
    if (ts.isStringLiteral(argument)) return "string";
    if (ts.isNumericLiteral(argument)) return "number";
    const pairs = ts.isArrayLiteralExpression(argument) && argument.elements.every((pair) => ts.isArrayLiteralExpression(pair) && pair.elements.length === 2 && ts.isStringLiteral(pair.elements[0]!) && ts.isIdentifier(pair.elements[1]!));
    const isRuntimeMember = (element: ts.Expression): boolean => ts.isPropertyAccessExpression(element) && ts.isIdentifier(element.expression) && element.expression.text === "runtime";
    const extensions = ts.isArrayLiteralExpression(argument) && argument.elements.every(isRuntimeMember);
    // `runtime.groupModules(loadGroup)` last: the one extension that is made per module.
    const last = ts.isArrayLiteralExpression(argument) ? argument.elements.at(-1) : undefined;
    const groupModules =
      ts.isArrayLiteralExpression(argument) &&
      argument.elements.slice(0, -1).every(isRuntimeMember) &&
      last !== undefined &&
      ts.isCallExpression(last) &&
      isRuntimeMember(last.expression) &&
      (last.expression as ts.PropertyAccessExpression).name.text === "groupModules" &&
      last.arguments.length === 1 &&
      ts.isIdentifier(last.arguments[0]!) &&
      last.arguments[0].text === "loadGroup";
    return pairs ? "bindings" : extensions ? "extensions" : groupModules ? "extensions and groupModules(loadGroup)" : "?";
  });
  return kinds.join(",") === args.join(",");
}
