/**
 * Test support: does a snippet parse in its own language? Each check uses that
 * language's own tool (node --check, python3 -m py_compile, bash -n, gofmt -e) on files
 * in a directory and returns one failure message per file that does not parse.
 * Go has no toolchain on every machine, so there is also a structural check that needs none.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";

/** `node --check` on each `.mjs` file (ES module syntax, top-level await allowed). */
export function jsSyntaxErrors(dir: string, files: readonly string[]): string[] {
  return failures(files, (file) => spawnSync(process.execPath, ["--check", join(dir, file)], { encoding: "utf8" }));
}

/** `python3 -m py_compile` on every file at once (it stops at the first broken file, which is enough to fail). */
export function pythonSyntaxErrors(dir: string, files: readonly string[]): string[] {
  if (files.length === 0) return [];
  const result = spawnSync("python3", ["-m", "py_compile", ...files.map((file) => join(dir, file))], { encoding: "utf8" });
  return result.status === 0 ? [] : [`py_compile: ${result.stderr || result.error?.message || `exit ${result.status}`}`];
}

/** `bash -n` (parse without running) on each file. */
export function shellSyntaxErrors(dir: string, files: readonly string[]): string[] {
  return failures(files, (file) => spawnSync("bash", ["-n", join(dir, file)], { encoding: "utf8" }));
}

/** `gofmt -e` on each file; only where gofmt is installed (see hasGofmt). */
export function goSyntaxErrors(dir: string, files: readonly string[]): string[] {
  return failures(files, (file) => spawnSync("gofmt", ["-e", join(dir, file)], { encoding: "utf8" }));
}

/** Whether `gofmt` is on PATH (`gofmt -h` exits 2 after printing usage). */
export function hasGofmt(): boolean {
  try {
    execFileSync("gofmt", ["-h"], { stdio: "ignore" });
    return true;
  } catch (error) {
    return (error as { status?: number }).status === 2;
  }
}

function failures(files: readonly string[], check: (file: string) => { status: number | null; stderr: string; error?: Error }): string[] {
  const found: string[] = [];
  for (const file of files) {
    const result = check(file);
    if (result.status !== 0) found.push(`${file}: ${result.stderr || result.error?.message || `exit ${result.status}`}`);
  }
  return found;
}

const GO_STRING = /"((?:[^"\\\n]|\\.)*)"/g;
const GO_INPUT = /json\.RawMessage\("((?:[^"\\\n]|\\.)*)"\)/;

/**
 * Go without a Go toolchain: every string literal in the snippet is well formed, the
 * `json.RawMessage("…")` literal decodes to the example input, and with all literals
 * blanked the snippet is exactly the template's Go code (so no value from a spec changed
 * the program). `template` has its optional blocks resolved already (resolveSections).
 */
export function goStructure(text: string, template: string): { input: unknown; codeMatchesTemplate: boolean } {
  const input = GO_INPUT.exec(text)?.[1];
  const blank = (code: string): string => code.replace(GO_STRING, '""');
  return {
    input: input === undefined ? undefined : (JSON.parse(decodeGoString(input)) as unknown),
    codeMatchesTemplate: blank(text) === blank(template.replace(/\{\{[a-z]+\}\}/gi, '""')),
  };
}

/** Go's interpreted-string escapes, as far as goString emits them. */
export function decodeGoString(body: string): string {
  return body.replace(/\\(U[0-9a-f]{8}|u[0-9a-f]{4}|x[0-9a-f]{2}|.)/g, (_match, escape: string) => {
    if (/^[Uux]/.test(escape) && escape.length > 1) return String.fromCodePoint(parseInt(escape.slice(1), 16));
    return ({ n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" } as Record<string, string>)[escape] ?? `\\${escape}`;
  });
}
