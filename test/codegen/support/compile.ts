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

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** The strictest settings a consumer may build with; `skipLibCheck` off so the declaration files are checked too. */
const strictest: ts.CompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noPropertyAccessFromIndexSignature: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
  erasableSyntaxOnly: true,
  isolatedDeclarations: true,
  declaration: true,
  emitDeclarationOnly: true,
  // Off: the generated types are a declaration file (github.types.d.ts), which skipLibCheck would not check.
  skipLibCheck: false,
  target: ts.ScriptTarget.ES2022,
};

/** How strict a consumer's build is: `strict` off (TypeScript's default), on, or everything on. */
export const STRICTNESS = {
  loose: { strict: false, skipLibCheck: false, target: ts.ScriptTarget.ES2022 },
  strict: { strict: true, skipLibCheck: false, target: ts.ScriptTarget.ES2022 },
  strictest,
} satisfies Record<string, ts.CompilerOptions>;
export type Strictness = keyof typeof STRICTNESS;

/** The two module settings the generated client must compile under. */
export const MODULES = {
  // Node: @types/node supplies fetch/AbortSignal; no DOM lib.
  nodenext: {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts"],
    types: ["node"],
    typeRoots: [join(repoRoot, "node_modules/@types")],
  },
  // Browser/bundler: DOM lib, no @types/node.
  bundler: {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.asynciterable.d.ts"],
    types: [],
  },
} satisfies Record<string, ts.CompilerOptions>;
export type ModuleSetting = keyof typeof MODULES;

export function settings(strictness: Strictness, module: ModuleSetting): ts.CompilerOptions {
  return { ...STRICTNESS[strictness], ...MODULES[module] };
}

/**
 * Strict settings for checking generated code together with snippets and other code a
 * person wrote (which reads `process.env.X`): the strictest, less the two flags that are
 * about how application code is written (noPropertyAccessFromIndexSignature,
 * erasableSyntaxOnly). The generated client alone is checked with every flag
 * (compile-matrix.test.ts, `settings("strictest", …)`).
 */
export const SETTINGS: Record<ModuleSetting, ts.CompilerOptions> = {
  nodenext: { ...settings("strictest", "nodenext"), noPropertyAccessFromIndexSignature: false, erasableSyntaxOnly: false },
  bundler: { ...settings("strictest", "bundler"), noPropertyAccessFromIndexSignature: false, erasableSyntaxOnly: false },
};

/** The files of a generated client a compiler takes as roots: its .ts and .d.ts files (runtime.js is reached through runtime.d.ts). */
export function tsFiles(files: Iterable<string>): string[] {
  return [...files].filter((file) => file.endsWith(".ts"));
}

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
  const compilerOptions = { ...options, outDir: join(dir, "out") };
  const program = ts.createProgram({ rootNames: rootFiles.map((file) => join(dir, file)), options: compilerOptions, host: cachingHost(compilerOptions) });
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

/**
 * Parsed lib and node_modules declaration files (lib.dom.d.ts, @types/node), shared by every
 * program of this test process: parsing them is most of a small program's time, and they
 * never change. Files of the checked directories are always read afresh.
 */
const parsedLibraries = new Map<string, ts.SourceFile>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    if (!fileName.includes("/node_modules/") || fileName.includes("/node_modules/.cache/")) return getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
    const format = typeof languageVersionOrOptions === "object" ? `${languageVersionOrOptions.languageVersion}:${languageVersionOrOptions.impliedNodeFormat}` : String(languageVersionOrOptions);
    const key = `${format}|${fileName}`;
    let file = parsedLibraries.get(key);
    if (!file) {
      file = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
      if (file) parsedLibraries.set(key, file);
    }
    return file;
  };
  return host;
}

/** Type-checks the given root files; returns formatted diagnostics (empty when clean). */
export function typecheck(dir: string, rootFiles: readonly string[], options: ts.CompilerOptions): string[] {
  return diagnose(dir, rootFiles, options).map(formatDiagnostic);
}

/** Transpiles every .ts file to .js next to it (imports already say `.js`), for running; declaration files have nothing to run, and runtime.js is JavaScript already. */
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
