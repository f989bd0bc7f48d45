/**
 * Test support: write generated files to a temp dir and type-check them with the
 * TypeScript 5.9 compiler API (TypeScript 7, which has no JS API, is in tsc7.ts), or
 * transpile them to runnable ESM.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Type-checking takes seconds; on a loaded 2-core CI machine, several times that. */
export const COMPILE_TIMEOUT_MS = 120_000;

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const strictness: ts.CompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  isolatedDeclarations: true,
  declaration: true,
  emitDeclarationOnly: true,
  // Off: the generated types are a declaration file (github.types.d.ts), which skipLibCheck would not check.
  skipLibCheck: false,
  target: ts.ScriptTarget.ES2022,
};

/** The two settings the generated client must compile under. */
export const SETTINGS: Record<"nodenext" | "bundler", ts.CompilerOptions> = {
  // Node: @types/node supplies fetch/AbortSignal; no DOM lib.
  nodenext: {
    ...strictness,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    typeRoots: [join(repoRoot, "node_modules/@types")],
  },
  // Browser/bundler: DOM lib, no @types/node.
  bundler: {
    ...strictness,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.asynciterable.d.ts"],
    types: [],
  },
};

export function writeFiles(files: ReadonlyMap<string, string>, dir = mkdtempSync(join(tmpdir(), "waygate-codegen-"))): string {
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  return dir;
}

/**
 * A fresh directory inside the repo's node_modules/.cache, for checks that import an
 * installed package (`undici`): module resolution walks up to the repo's node_modules.
 */
export function scratchDirInRepo(): string {
  const parent = join(repoRoot, "node_modules/.cache");
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, "waygate-codegen-"));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** One compiler diagnostic, the same shape from TypeScript 5.9 (JS API) and 7 (CLI output). */
export interface Diagnostic {
  /** Relative to the checked directory, with `/` separators; "" for global diagnostics. */
  file: string;
  line: number;
  column: number;
  code: number;
  message: string;
}

/** `/waygate/index.ts:3:1 TS2304: Cannot find name 'x'.`: how failing assertions print a diagnostic. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.file ? `/${diagnostic.file}:${diagnostic.line}:${diagnostic.column}` : "";
  return `${where} TS${diagnostic.code}: ${diagnostic.message}`;
}

/**
 * Type-checks the given root files with TypeScript 5.9 and emits declarations to memory
 * (so isolatedDeclarations errors surface); returns every diagnostic.
 */
export function diagnose(dir: string, rootFiles: readonly string[], options: ts.CompilerOptions): Diagnostic[] {
  const program = ts.createProgram({
    rootNames: rootFiles.map((file) => join(dir, file)),
    options: { ...options, outDir: join(dir, "out") },
  });
  const emitted = program.emit(undefined, () => {}, undefined, true);
  return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((diagnostic) => {
    const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
    return {
      file: diagnostic.file ? relative(dir, diagnostic.file.fileName).split(sep).join("/") : "",
      line: where ? where.line + 1 : 0,
      column: where ? where.character + 1 : 0,
      code: diagnostic.code,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
    };
  });
}

/** Type-checks the given root files; returns formatted diagnostics (empty when clean). */
export function typecheck(dir: string, rootFiles: readonly string[], options: ts.CompilerOptions): string[] {
  return diagnose(dir, rootFiles, options).map(formatDiagnostic);
}

/** Transpiles every .ts file to .js next to it (imports already say `.js`), for running; declaration files have nothing to run. */
export function transpile(files: ReadonlyMap<string, string>, dir: string): void {
  for (const [path, text] of files) {
    if (!path.endsWith(".ts") || path.endsWith(".d.ts")) continue;
    const output = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: path,
    });
    writeFileSync(join(dir, path.replace(/\.ts$/, ".js")), output.outputText);
  }
}
