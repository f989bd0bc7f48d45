/**
 * Compiles templates/runtime.ts (and the runtime's lazily loaded parts, `RUNTIME_MODULES`)
 * into what generated clients ship: `runtime.js` (ES2022 module, comments kept so it reads
 * like its source) and `runtime.d.ts`. Application compilers then
 * read only the declarations, so whatever their settings (`strict` off,
 * `noPropertyAccessFromIndexSignature`, TypeScript 7…) they never check the runtime's bodies.
 *
 * Runs when the package is built (tsup.config.ts writes dist/runtime/), not at every
 * `waygate generate`. Declarations come from `transpileDeclaration`, which needs no program:
 * the runtime is written for `isolatedDeclarations` (every export's type is explicit).
 * The compiler is passed in, so loading this module never loads TypeScript.
 */
import type TypeScript from "typescript";

export interface CompiledRuntime {
  readonly js: string;
  readonly dts: string;
}

/**
 * The runtime's modules, each templates/<name>.ts shipped as <name>.js + <name>.d.ts:
 * `runtime` itself, and the parts it loads with `import()` when first used (a bundler gives
 * each a chunk of its own, so an application that never uses one does not carry it).
 */
export const RUNTIME_MODULES = ["runtime", "runtime-errors", "runtime-error-map", "runtime-paging", "runtime-batch", "runtime-request"] as const;

/** The runtime modules whose exports index.ts re-exports: the client's API (runtime-batch.js has none of its own). */
export const PUBLIC_RUNTIME_MODULES: readonly string[] = ["runtime", "runtime-errors"];

/** Every runtime file a generated client ships (`runtime.js`, `runtime.d.ts`, `runtime-batch.js`…), from each module's source. */
export function compileRuntimeFiles(sourceOf: (module: string) => string, ts: typeof TypeScript): Map<string, string> {
  const files = new Map<string, string>();
  for (const module of RUNTIME_MODULES) {
    const { js, dts } = compileRuntime(sourceOf(module), ts, `${module}.ts`);
    files.set(`${module}.js`, js).set(`${module}.d.ts`, dts);
  }
  return files;
}

export function compileRuntime(source: string, ts: typeof TypeScript, fileName = "runtime.ts"): CompiledRuntime {
  const compilerOptions: TypeScript.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, strict: true, newLine: ts.NewLineKind.LineFeed };
  const js = ts.transpileModule(source, { compilerOptions, fileName, reportDiagnostics: true });
  const dts = ts.transpileDeclaration(source, {
    // `@internal`: what runtime.js shares with its lazily loaded modules (runtime-errors.js) is not the client's API.
    compilerOptions: { ...compilerOptions, declaration: true, isolatedDeclarations: true, stripInternal: true },
    fileName,
    reportDiagnostics: true,
  });
  const problems = [...(js.diagnostics ?? []), ...(dts.diagnostics ?? [])].map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
  if (problems.length > 0) throw new Error(`templates/${fileName} does not compile on its own:\n${problems.join("\n")}`);
  return { js: js.outputText, dts: dts.outputText };
}
