import type { Context } from "./context.js";
import { style, type IO } from "./io.js";

/** Renders a command's value for people. */
export type Render<T> = (value: T, io: IO) => void;

/** `--json`: exactly one JSON document on stdout. Otherwise the command's own rendering. */
export function emit<T>(context: Context, value: T, render: Render<T>): void {
  if (context.globals.json) context.io.out(JSON.stringify(value ?? null, null, 2));
  else render(value, context.io);
}

/** A table column: its header, and whether it may be shortened to fit the terminal. */
export interface Column {
  header: string;
  /** Never shortened: identifiers people copy into the next command (ids, slugs, action names). */
  keep?: boolean;
}

type Cell = string | number | null | undefined;

const GAP = 2;
/** A shortened column keeps at least this many characters (the ellipsis included). */
const MIN_WIDTH = 8;

/**
 * Aligned columns with a header row; the last column is never padded. On a terminal the
 * table fits its width, as `gh` does: the widest columns that may shrink are cut to a common
 * width and their long values end in `…`. Piped output (and --json) keeps every value whole.
 * A cell is one line: line breaks and control characters in values (from imported docs)
 * become spaces.
 */
export function table(io: IO, columns: Array<string | Column>, rows: Cell[][]): void {
  const specs = columns.map((column) => (typeof column === "string" ? { header: column } : column));
  const cells = rows.map((row) => specs.map((_, index) => cellText(row[index])));
  const natural = specs.map((spec, column) => Math.max(length(spec.header), ...cells.map((row) => length(row[column] ?? ""))));
  const widths = io.stdoutIsTTY && io.columns ? fitWidths(natural, specs, io.columns) : natural;
  const line = (row: string[]) =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        const fitted = truncate(cell, width);
        return column === row.length - 1 ? fitted : fitted + " ".repeat(Math.max(0, width - length(fitted)));
      })
      .join(" ".repeat(GAP))
      .trimEnd();
  io.out(style(io, "bold", line(specs.map((spec) => spec.header))));
  for (const row of cells) io.out(line(row));
}

/**
 * Column widths that fit `total` characters. The columns that may shrink share what the
 * kept ones leave, the narrow ones whole and the wide ones cut to one common width
 * (water-filling), down to MIN_WIDTH. Only when that is not enough are kept columns cut
 * too, the same way, with the room that is left; below MIN_WIDTH everywhere, lines wrap.
 */
export function fitWidths(natural: number[], specs: Array<Pick<Column, "keep">>, total: number): number[] {
  const budget = total - GAP * Math.max(0, natural.length - 1);
  const indexes = natural.map((_, index) => index);
  const kept = indexes.filter((index) => specs[index]?.keep);
  const shrinking = indexes.filter((index) => !specs[index]?.keep);
  const sum = (of: number[], widths: number[]) => of.reduce((total, index) => total + (widths[index] ?? 0), 0);
  const widths = [...natural];
  for (const [index, width] of waterFill(shrinking.map((index) => natural[index] ?? 0), budget - sum(kept, natural)).entries()) {
    widths[shrinking[index]!] = width;
  }
  if (sum(indexes, widths) > budget) {
    for (const [index, width] of waterFill(kept.map((index) => natural[index] ?? 0), budget - sum(shrinking, widths)).entries()) {
      widths[kept[index]!] = width;
    }
  }
  return widths;
}

/** Widths for columns that share `budget`: all whole when they fit, else the widest cut to one width, never below MIN_WIDTH. */
function waterFill(natural: number[], budget: number): number[] {
  if (natural.reduce((total, width) => total + width, 0) <= budget) return natural;
  const byWidth = natural.map((_, index) => index).sort((a, b) => (natural[a] ?? 0) - (natural[b] ?? 0));
  let left = budget;
  let cut = 0;
  while (cut < byWidth.length && (natural[byWidth[cut]!] ?? 0) * (byWidth.length - cut) <= left) left -= natural[byWidth[cut++]!] ?? 0;
  const wide = byWidth.slice(cut).sort((a, b) => b - a);
  const share = Math.floor(left / wide.length);
  // What the common width leaves over goes to the rightmost wide columns.
  let spare = left - share * wide.length;
  const widths = [...natural];
  for (const index of wide) widths[index] = Math.max(Math.min(MIN_WIDTH, natural[index] ?? 0), share + (spare-- > 0 ? 1 : 0));
  return widths;
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return "-";
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return String(cell).replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, " ").trim();
}

/** Width in code points (so `…` and most accented letters count one). */
function length(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export function truncate(text: string, width: number): string {
  if (length(text) <= width) return text;
  if (width <= 1) return "…".slice(0, width);
  return Array.from(text).slice(0, width - 1).join("").trimEnd() + "…";
}

/** `label: value` lines with the labels aligned. */
export function details(io: IO, entries: Array<[string, string | number | boolean | null | undefined]>): void {
  const width = Math.max(...entries.map(([label]) => label.length));
  for (const [label, value] of entries) {
    io.out(`${style(io, "dim", (label + ":").padEnd(width + 1))} ${value === null || value === undefined ? "-" : String(value)}`);
  }
}
