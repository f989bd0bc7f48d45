/**
 * The last guard before anything is written: every generated file that runs must parse. Names,
 * strings and comments from a spec reach the output only through the escaping in naming.ts and
 * jsdoc.ts, so a file that does not parse means a hole there, which a hostile spec could
 * otherwise use to inject code into a user's build. Declaration files (`*.d.ts`) are left out:
 * nothing in them runs, so a hole there can break a build but not run code in it, and the
 * GitHub client's is 3.3 MB, whose parse would add a third to generation (385 of 1 221 ms).
 * Parsing only (no binding or checking): one program over the files, nothing resolved, no lib.
 */
import ts from "typescript";
import { CodegenError } from "./naming.js";

export function assertEveryModuleParses(files: ReadonlyMap<string, string>): void {
  const options: ts.CompilerOptions = { noLib: true, noResolve: true, types: [], allowJs: true, target: ts.ScriptTarget.ESNext, noEmit: true };
  const sources = new Map<string, ts.SourceFile>();
  for (const [path, text] of files) {
    if (path.endsWith(".d.ts")) continue;
    sources.set(path, ts.createSourceFile(path, text, ts.ScriptTarget.ESNext, false, path.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS));
  }
  const host: ts.CompilerHost = {
    getSourceFile: (name) => sources.get(name),
    fileExists: (name) => sources.has(name),
    readFile: (name) => files.get(name),
    getDefaultLibFileName: () => "lib.d.ts",
    writeFile: () => {},
    getCurrentDirectory: () => "",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
  };
  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
  for (const source of sources.values()) {
    const [first] = program.getSyntacticDiagnostics(source);
    if (!first) continue;
    const { line, character } = source.getLineAndCharacterOfPosition(first.start ?? 0);
    const message = ts.flattenDiagnosticMessageText(first.messageText, " ");
    throw new CodegenError(`the generated ${source.fileName} does not parse (${line + 1}:${character + 1}: ${message}); nothing was written. This is a bug in waygate: please report it with the manifest`);
  }
}
