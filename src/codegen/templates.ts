/**
 * The only part of src/codegen that touches the disk: it reads templates/ once per
 * generator call and hands the text to the pure transforms. templates/ ships in the
 * npm package; it is found by walking up from this module, which works from src/ (tests)
 * and from the bundled dist/ chunk alike.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SNIPPET_LANGUAGES = ["ts", "js", "python", "curl", "go"] as const;
export type SnippetLanguage = (typeof SNIPPET_LANGUAGES)[number];

const SNIPPET_FILES: Record<SnippetLanguage, string> = {
  ts: "ts.ts.tpl",
  js: "js.mjs.tpl",
  python: "python.py.tpl",
  curl: "curl.sh.tpl",
  go: "go.go.tpl",
};

export interface Templates {
  /** templates/runtime.ts, copied into every generated client. */
  readonly runtime: string;
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
  return { runtime: read("runtime.ts"), snippets: snippets as Record<SnippetLanguage, string> };
}
