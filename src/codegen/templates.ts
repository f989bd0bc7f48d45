/**
 * The only part of src/codegen that touches the disk: it reads templates/ once per
 * generator call and hands the text to the pure transforms. templates/ ships in the
 * npm package; it is found by walking up from this module, which works from src/ (tests)
 * and from the bundled dist/ chunk alike.
 *
 * The runtime reaches generated clients compiled (`runtime.js` + `runtime.d.ts`): the
 * package build writes them to dist/runtime/ (tsup.config.ts), and the installed package
 * reads those. Run from its TypeScript sources (tests), or when the build is older than
 * templates/runtime.ts, this module compiles the template itself, so an edited runtime is
 * never stale.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type TypeScript from "typescript";
import { compileRuntimeFiles, RUNTIME_MODULES } from "./runtime-build.js";

export const SNIPPET_LANGUAGES = ["ts", "js", "python", "curl", "go"] as const;
export type SnippetLanguage = (typeof SNIPPET_LANGUAGES)[number];

const SNIPPET_FILES: Record<SnippetLanguage, string> = {
  ts: "ts.ts.tpl",
  js: "js.mjs.tpl",
  python: "python.py.tpl",
  curl: "curl.sh.tpl",
  go: "go.go.tpl",
};

/** Where the package build writes the compiled runtime, relative to the package root. */
export const BUILT_RUNTIME_DIR = join("dist", "runtime");

/** The runtime as generated clients ship it. */
export interface RuntimeFiles {
  /** runtime.js and runtime.d.ts (`dts` is what index.ts re-exports). */
  readonly js: string;
  readonly dts: string;
  /** Every runtime file by name: runtime.js, runtime.d.ts and the lazily loaded parts (runtime-batch.js…). */
  readonly files: ReadonlyMap<string, string>;
}

export interface Templates {
  /** templates/runtime*.ts compiled: copied into every generated client. Read when first used. */
  readonly runtime: RuntimeFiles;
  readonly snippets: Readonly<Record<SnippetLanguage, string>>;
}

export function templatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    if (existsSync(join(dir, "templates", "runtime.ts"))) return join(dir, "templates");
    dir = dirname(dir);
  }
  throw new Error("waygate: templates/ not found next to the installed package");
}

export function loadTemplates(dir: string = templatesDir()): Templates {
  const read = (...path: string[]): string => readFileSync(join(dir, ...path), "utf8");
  const snippets = Object.fromEntries(SNIPPET_LANGUAGES.map((lang) => [lang, read("snippets", SNIPPET_FILES[lang])]));
  let runtime: RuntimeFiles | undefined;
  return {
    get runtime() {
      return (runtime ??= loadRuntime(dir));
    },
    snippets: snippets as Record<SnippetLanguage, string>,
  };
}

function loadRuntime(dir: string): RuntimeFiles {
  const source = (module: string): string => join(dir, `${module}.ts`);
  const built = (file: string): string => join(dir, "..", BUILT_RUNTIME_DIR, file);
  const fromSources = import.meta.url.endsWith(".ts");
  // A build older than the template (an edit since `npm run build`) is not used; an installed package has all from one tarball.
  const fresh = RUNTIME_MODULES.every((module) =>
    [`${module}.js`, `${module}.d.ts`].every((file) => existsSync(built(file)) && statSync(built(file)).mtimeMs >= statSync(source(module)).mtimeMs),
  );
  let files: Map<string, string>;
  if (!fromSources && fresh) {
    files = new Map(RUNTIME_MODULES.flatMap((module) => [`${module}.js`, `${module}.d.ts`].map((file): [string, string] => [file, readFileSync(built(file), "utf8")])));
  } else {
    // TypeScript is a dependency of the package; it is loaded only here, off the path of a built install.
    const ts = createRequire(import.meta.url)("typescript") as typeof TypeScript;
    files = compileRuntimeFiles((module) => readFileSync(source(module), "utf8"), ts);
  }
  return { js: files.get("runtime.js") ?? "", dts: files.get("runtime.d.ts") ?? "", files };
}
