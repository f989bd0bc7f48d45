/**
 * JSDoc blocks. Text from a spec can hold `*\/` (which would end the comment and let
 * the rest run as code), CR or U+2028/U+2029 (line terminators that break the ` * `
 * prefix), so every line goes through `commentSafe`.
 */
import { normalizeText } from "./schema-normalize.js";

/** Makes arbitrary text inert inside a block comment. */
export function commentSafe(text: string): string {
  return normalizeText(text).replace(/\*\//g, "*\\/");
}

/** Makes text inert inside a `//` comment: one printable-ASCII line. */
export function lineCommentSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}

export interface DocParts {
  summary?: string | undefined;
  description?: string | undefined;
  /** Extra paragraphs, already plain text (e.g. the HTTP method and path). */
  notes?: readonly string[];
  deprecated?: boolean;
  /** Code for an `@example`, rendered in a fenced block. */
  example?: { lang: string; code: string } | undefined;
}

/** A `/** ... *\/` block at `indent`, or "" when there is nothing to say. */
export function jsdoc(parts: DocParts, indent = ""): string {
  const paragraphs: string[] = [];
  const summary = parts.summary?.trim();
  const description = parts.description?.trim();
  if (summary) paragraphs.push(summary);
  if (description && description !== summary) paragraphs.push(description);
  paragraphs.push(...(parts.notes ?? []));
  const lines = paragraphs.flatMap((paragraph, index) => [...(index > 0 ? [""] : []), ...commentSafe(paragraph).split("\n")]);
  if (parts.deprecated) lines.push("@deprecated");
  if (parts.example) {
    lines.push("@example", "```" + parts.example.lang, ...commentSafe(parts.example.code).split("\n"), "```");
  }
  if (lines.length === 0) return "";
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} *${line === "" ? "" : ` ${line.trimEnd()}`}`).join("\n")}\n${indent} */\n`;
}
