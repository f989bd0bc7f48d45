/**
 * Compiles templates/runtime.ts into what generated clients ship: `runtime.js` (ES2022 module,
 * comments kept so it reads like its source) and `runtime.d.ts`. Application compilers then
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

export function compileRuntime(source: string, ts: typeof TypeScript): CompiledRuntime {
  const compilerOptions: TypeScript.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, strict: true, newLine: ts.NewLineKind.LineFeed };
  const js = ts.transpileModule(source, { compilerOptions, fileName: "runtime.ts", reportDiagnostics: true });
  const dts = ts.transpileDeclaration(source, {
    compilerOptions: { ...compilerOptions, declaration: true, isolatedDeclarations: true },
    fileName: "runtime.ts",
    reportDiagnostics: true,
  });
  const problems = [...(js.diagnostics ?? []), ...(dts.diagnostics ?? [])].map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
  if (problems.length > 0) throw new Error(`templates/runtime.ts does not compile on its own:\n${problems.join("\n")}`);
  return { js: js.outputText, dts: dts.outputText };
}
