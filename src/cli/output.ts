import type { Context } from "./context.js";
import { style, type IO } from "./io.js";

/** Renders a command's value for people. */
export type Render<T> = (value: T, io: IO) => void;

/** `--json`: exactly one JSON document on stdout. Otherwise the command's own rendering. */
export function emit<T>(context: Context, value: T, render: Render<T>): void {
  if (context.globals.json) context.io.out(JSON.stringify(value ?? null, null, 2));
  else render(value, context.io);
}

/** Aligned columns with a header row; the last column is never padded. */
export function table(io: IO, headers: string[], rows: Array<Array<string | number | null | undefined>>): void {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? "-" : String(cell))));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => row[column]?.length ?? 0)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  ").trimEnd();
  io.out(style(io, "bold", line(headers)));
  for (const row of cells) io.out(line(row));
}

/** `label: value` lines with the labels aligned. */
export function details(io: IO, entries: Array<[string, string | number | boolean | null | undefined]>): void {
  const width = Math.max(...entries.map(([label]) => label.length));
  for (const [label, value] of entries) {
    io.out(`${style(io, "dim", (label + ":").padEnd(width + 1))} ${value === null || value === undefined ? "-" : String(value)}`);
  }
}
