/** One item of a batch as read from a file: the action's input, and the connection (end user) it runs for. */
export interface FileItem {
  input: Record<string, unknown>;
  connection?: string;
}

export interface LineError {
  line: number;
  message: string;
}

export type ItemsRead = { kind: "items"; items: FileItem[] } | { kind: "malformed"; errors: LineError[] };

export interface ReadItemsOptions {
  format: "jsonl" | "csv";
  /** Take each item's connection (end user id) from this field, removed from the input. */
  userField?: string | undefined;
}

/** Lines listed in a malformed-file report, at most. */
const MAX_REPORTED = 50;

/**
 * Reads a batch's items from JSON Lines (one input object per line; blank lines skipped)
 * or CSV (a header row of input field names; `1`, `true` and `false` become numbers and
 * booleans, empty cells are left out). Every malformed line is reported with its number,
 * so the file can be fixed in one go before anything is sent.
 */
export function readItems(text: string, options: ReadItemsOptions): ItemsRead {
  const records = options.format === "jsonl" ? jsonLines(text) : csvRecords(text);
  const items: FileItem[] = [];
  const errors: LineError[] = [];
  for (const record of records) {
    if ("error" in record) {
      errors.push({ line: record.line, message: record.error });
      continue;
    }
    const input = { ...record.value };
    let connection: string | undefined;
    if (options.userField !== undefined) {
      const user = input[options.userField];
      if (typeof user !== "string" && typeof user !== "number") {
        errors.push({ line: record.line, message: `has no "${options.userField}" (the --user-field) as a string or number` });
        continue;
      }
      connection = String(user);
      delete input[options.userField];
    }
    items.push({ input, ...(connection === undefined ? {} : { connection }) });
  }
  if (errors.length > 0) return { kind: "malformed", errors: errors.slice(0, MAX_REPORTED) };
  return { kind: "items", items };
}

type Parsed = { line: number; value: Record<string, unknown> } | { line: number; error: string };

function jsonLines(text: string): Parsed[] {
  const parsed: Parsed[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      parsed.push({ line, error: `is not JSON (${error instanceof SyntaxError ? error.message : "unparseable"})` });
      return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) parsed.push({ line, error: "is not a JSON object (each line is one action input)" });
    else parsed.push({ line, value: value as Record<string, unknown> });
  });
  return parsed;
}

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks; a record's line is where it starts. */
function csvRecords(text: string): Parsed[] {
  const rows: Array<{ line: number; cells: string[] } | { line: number; error: string }> = [];
  let line = 1;
  let i = 0;
  const body = text.startsWith("\ufeff") ? text.slice(1) : text;
  while (i < body.length) {
    const start = line;
    const cells: string[] = [];
    let cell = "";
    let error: string | undefined;
    for (;;) {
      if (body[i] === '"' && cell === "") {
        i++;
        let closed = false;
        while (i < body.length) {
          if (body[i] === '"') {
            if (body[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (body[i] === "\n") line++;
          cell += body[i++];
        }
        if (!closed) error ??= "has a quoted field that is never closed";
        else if (i < body.length && body[i] !== "," && body[i] !== "\n" && body[i] !== "\r") error ??= "has text after a closing quote";
      }
      while (i < body.length && body[i] !== "," && body[i] !== "\n" && body[i] !== "\r") cell += body[i++];
      cells.push(cell);
      cell = "";
      if (body[i] === ",") {
        i++;
        continue;
      }
      if (body[i] === "\r") i++;
      if (body[i] === "\n") {
        i++;
        line++;
      }
      break;
    }
    if (cells.length === 1 && cells[0] === "" && !error) continue; // a blank line
    rows.push(error ? { line: start, error } : { line: start, cells });
  }
  const [header, ...records] = rows;
  if (!header) return [];
  if ("error" in header) return [header];
  const names = header.cells.map((name) => name.trim());
  const duplicate = names.find((name, index) => name === "" || names.indexOf(name) !== index);
  if (duplicate !== undefined) return [{ line: header.line, error: duplicate === "" ? "the header row has an empty column name" : `the header row names "${duplicate}" twice` }];
  return records.map((record) => {
    if ("error" in record) return record;
    if (record.cells.length !== names.length) return { line: record.line, error: `has ${record.cells.length} fields; the header has ${names.length}` };
    const value: Record<string, unknown> = {};
    record.cells.forEach((cell, index) => {
      if (cell !== "") value[names[index]!] = scalar(cell);
    });
    return { line: record.line, value };
  });
}

function scalar(cell: string): unknown {
  if (cell === "true") return true;
  if (cell === "false") return false;
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(cell)) return Number(cell);
  return cell;
}
