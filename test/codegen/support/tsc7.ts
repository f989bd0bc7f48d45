/**
 * Test support: type-check with TypeScript 7 (the native compiler, installed as the
 * `typescript7` alias). It has no JS API, so this writes a tsconfig.json for the same
 * settings the 5.9 checks use and parses the CLI's `--pretty false` output.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { Diagnostic } from "./compile.js";

export const TSC7_BIN = fileURLToPath(new URL("../../../node_modules/typescript7/bin/tsc", import.meta.url));

export interface Tsc7Result {
  /** The CLI's exit code: 0 only when nothing was reported. */
  exitCode: number;
  /** Everything the CLI printed (stdout and stderr), for failure messages. */
  output: string;
  diagnostics: Diagnostic[];
}

/** Emitting options a tsconfig with `noEmit` must not carry (5.9's settings emit declarations to memory). */
const EMIT_ONLY = new Set(["emitDeclarationOnly", "outDir", "declarationDir", "noEmit"]);

/**
 * The `compilerOptions` of a tsconfig.json equivalent to 5.9 API options: enums as their
 * names, `lib.es2022.d.ts` as `es2022`, `noEmit` on. `declaration` stays, because
 * isolatedDeclarations is only checked with it.
 */
export function tsconfigOptions(options: ts.CompilerOptions): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (EMIT_ONLY.has(key) || value === undefined) continue;
    if (key === "module") json[key] = ts.ModuleKind[value as ts.ModuleKind];
    else if (key === "moduleResolution") json[key] = ts.ModuleResolutionKind[value as ts.ModuleResolutionKind];
    else if (key === "target") json[key] = ts.ScriptTarget[value as ts.ScriptTarget];
    else if (key === "lib") json[key] = (value as string[]).map((lib) => lib.replace(/^lib\./, "").replace(/\.d\.ts$/, ""));
    else json[key] = value;
  }
  json.noEmit = true;
  return json;
}

/**
 * Runs `tsc -p` of TypeScript 7 over `rootFiles` (relative to `dir`) with a generated
 * `tsconfig.<name>.json`. Asynchronous, so slow checks can run side by side.
 */
export function tsc7(dir: string, rootFiles: readonly string[], options: ts.CompilerOptions, name = "tsc7"): Promise<Tsc7Result> {
  const config = join(dir, `tsconfig.${name}.json`);
  writeFileSync(config, JSON.stringify({ compilerOptions: tsconfigOptions(options), files: rootFiles }, null, 2));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [TSC7_BIN, "-p", config, "--pretty", "false"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      if (error && exitCode === -1) return reject(error);
      const output = stdout + stderr;
      resolve({ exitCode, output, diagnostics: parseDiagnostics(output) });
    });
  });
}

/**
 * Parses `file(line,col): error TS1234: message` lines; indented lines that follow are
 * the message's elaboration. Global diagnostics read `error TS1234: message`.
 */
export function parseDiagnostics(output: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const line of output.split(/\r?\n/)) {
    const located = /^(.+?)\((\d+),(\d+)\): error TS(\d+): (.*)$/.exec(line);
    const global = located ? undefined : /^error TS(\d+): (.*)$/.exec(line);
    if (located) {
      const [, file = "", row = "0", column = "0", code = "0", message = ""] = located;
      diagnostics.push({ file: file.split("\\").join("/"), line: Number(row), column: Number(column), code: Number(code), message });
    } else if (global) {
      diagnostics.push({ file: "", line: 0, column: 0, code: Number(global[1]), message: global[2] ?? "" });
    } else if (/^\s+\S/.test(line) && diagnostics.length > 0) {
      diagnostics[diagnostics.length - 1]!.message += `\n${line.trim()}`;
    }
  }
  return diagnostics;
}
