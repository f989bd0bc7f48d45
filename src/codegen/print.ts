/**
 * Assembles a generated file from its header, import lines and body. Plain text: the
 * generator writes every statement itself, so no printer (and no second copy of the
 * TypeScript compiler, as ts-morph would load) is needed.
 */
import { escapeInvisible, jsString } from "./naming.js";

/** One named import: `name`, `name as alias`, either possibly `type`. */
export interface NamedImport {
  readonly name: string;
  readonly alias?: string;
  readonly typeOnly?: boolean;
}

export type ImportLine =
  | { readonly from: string; readonly namespace: string; readonly typeOnly?: boolean }
  | { readonly from: string; readonly named: readonly NamedImport[]; readonly typeOnly?: boolean };

export function importLine(line: ImportLine): string {
  const type = line.typeOnly ? "type " : "";
  const what =
    "namespace" in line
      ? `* as ${line.namespace}`
      : `{ ${line.named.map((entry) => `${entry.typeOnly ? "type " : ""}${entry.name}${entry.alias ? ` as ${entry.alias}` : ""}`).join(", ")} }`;
  return `import ${type}${what} from ${jsString(line.from)};`;
}

/** `head` (ends with a newline), the imports one per line, then `body`; one newline at the end. */
export function printFile(head: string, imports: readonly ImportLine[], body: string): string {
  return escapeInvisible(`${head}${imports.map(importLine).join("\n")}\n${body}\n`);
}
