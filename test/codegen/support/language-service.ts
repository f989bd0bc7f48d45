/**
 * Test support: the TypeScript 5.9 language service (what editors run) over a directory
 * of generated files plus in-memory editor buffers, to ask what autocomplete and hover
 * would show at a cursor.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/** Marks the cursor in a buffer's text; removed before the text reaches the service. */
export const CURSOR = "|";

export interface Editor {
  /** Completion names offered at the cursor of `buffer`. */
  completions(buffer: string): string[];
  /** What hovering at the cursor of `buffer` shows: the declaration, its documentation and JSDoc tags. */
  quickInfo(buffer: string): { display: string; documentation: string; tags: { name: string; text: string }[] } | undefined;
  /** Documentation shown beside the completion `name` offered at the cursor of `buffer`. */
  completionDocumentation(buffer: string, name: string): string | undefined;
}

/**
 * Opens `buffers` (name → text with one CURSOR each) as files in `dir`, which already
 * holds the generated client. The program is built once, on the first question.
 */
export function openEditor(dir: string, buffers: Readonly<Record<string, string>>, options: ts.CompilerOptions): Editor {
  const texts = new Map<string, string>();
  const cursors = new Map<string, number>();
  for (const [name, text] of Object.entries(buffers)) {
    const at = text.indexOf(CURSOR);
    if (at < 0 || text.indexOf(CURSOR, at + 1) >= 0) throw new Error(`buffer ${name} needs exactly one cursor`);
    texts.set(join(dir, name), text.slice(0, at) + text.slice(at + 1));
    cursors.set(name, at);
  }
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [...texts.keys()],
    getScriptVersion: () => "1",
    getScriptSnapshot: (file) => {
      const text = texts.get(file) ?? (ts.sys.fileExists(file) ? readFileSync(file, "utf8") : undefined);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => dir,
    getDefaultLibFileName: (settings) => ts.getDefaultLibFilePath(settings),
    fileExists: (file) => texts.has(file) || ts.sys.fileExists(file),
    readFile: (file) => texts.get(file) ?? ts.sys.readFile(file),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  const cursorOf = (buffer: string): number => {
    const at = cursors.get(buffer);
    if (at === undefined) throw new Error(`no buffer ${buffer}`);
    return at;
  };
  return {
    completions(buffer) {
      const info = service.getCompletionsAtPosition(join(dir, buffer), cursorOf(buffer), {});
      return (info?.entries ?? []).map((entry) => entry.name);
    },
    quickInfo(buffer) {
      const info = service.getQuickInfoAtPosition(join(dir, buffer), cursorOf(buffer));
      if (!info) return undefined;
      return {
        display: ts.displayPartsToString(info.displayParts),
        documentation: ts.displayPartsToString(info.documentation),
        tags: (info.tags ?? []).map((tag) => ({ name: tag.name, text: ts.displayPartsToString(tag.text) })),
      };
    },
    completionDocumentation(buffer, name) {
      const details = service.getCompletionEntryDetails(join(dir, buffer), cursorOf(buffer), name, undefined, undefined, undefined, undefined);
      return details ? ts.displayPartsToString(details.documentation) : undefined;
    },
  };
}
