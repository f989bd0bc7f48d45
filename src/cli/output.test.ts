import { describe, expect, it } from "vitest";
import { createBufferIO } from "./io.js";
import { fitWidths, table, truncate } from "./output.js";

const actions: Array<[string, string, string, string]> = [
  ["accounts.externalAccounts.update", "POST", "/v1/accounts/{account}/external_accounts/{id}", "Updates the metadata, account holder name, account holder type of a bank account belonging to a connected account"],
  ["charges.list", "GET", "/v1/charges", "Returns a list of charges you’ve previously created."],
  ["issuing.cards.deliverCard", "POST", "/v1/test_helpers/issuing/cards/{card}/shipping/deliver", "Updates the shipping status of the specified Issuing Card object to delivered."],
];
const columns = [{ header: "ACTION", keep: true }, { header: "METHOD", keep: true }, "PATH", "SUMMARY"];

const width = (line: string) => Array.from(line).length;

describe("table", () => {
  it.each([60, 80, 100, 120])("fits a %i-column terminal, cutting paths and summaries with … and never the action name", (columnsWide) => {
    const io = createBufferIO({ tty: true, columns: columnsWide });
    table(io, columns, actions);
    const lines = io.stdout().trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(width(line), line).toBeLessThanOrEqual(columnsWide);
    for (const [name] of actions) expect(io.stdout()).toContain(name);
    expect(io.stdout()).toContain("…");
  });

  it("aligns the columns it cuts", () => {
    const io = createBufferIO({ tty: true, columns: 100 });
    table(io, columns, actions);
    const lines = io.stdout().trimEnd().split("\n");
    const summaryAt = lines[0]!.indexOf("SUMMARY");
    for (const line of lines.slice(1)) expect(line[summaryAt - 1], line).toBe(" ");
    expect(lines[1]).toMatch(/^accounts\.externalAccounts\.update {2}POST {4}\/v1\/accounts\/.*… {2}Updates .*…$/);
  });

  it("keeps every value whole when stdout is not a terminal", () => {
    const io = createBufferIO({ tty: false });
    table(io, columns, actions);
    for (const row of actions) for (const value of row) expect(io.stdout()).toContain(value);
    expect(io.stdout()).not.toContain("…");
  });

  it("leaves a table that already fits as it is", () => {
    const io = createBufferIO({ tty: true, columns: 250 });
    table(io, columns, actions);
    expect(io.stdout()).toBe(renderPlain());
    expect(io.stdout()).not.toContain("…");
  });

  it("puts a multi-line or escape-laden value from imported docs on one clean line", () => {
    const io = createBufferIO({ tty: false });
    table(io, ["NAME", "SUMMARY"], [["a", "first line\nsecond\tline \u001b[31mred\u001b[0m\r"]]);
    expect(io.stdout()).toBe("NAME  SUMMARY\na     first line second line [31mred [0m\n");
  });
});

function renderPlain(): string {
  const io = createBufferIO();
  table(io, columns, actions);
  return io.stdout();
}

describe("fitWidths", () => {
  it("cuts the widest shrinkable columns to one width and leaves the narrow ones whole", () => {
    // 4 columns → 6 characters of gaps; 40 − 6 − 10 (kept) = 24 left for 5 + 30 + 50.
    expect(fitWidths([10, 5, 30, 50], [{ keep: true }, {}, {}, {}], 40)).toEqual([10, 5, 9, 10]);
  });

  it("cuts kept columns too, with what is left, once the others are at their minimum", () => {
    // 80 − 6 (gaps) − 6 (METHOD) − 8 − 8 = 52 for the 68-character action names.
    expect(fitWidths([68, 6, 60, 120], [{ keep: true }, { keep: true }, {}, {}], 80)).toEqual([52, 6, 8, 8]);
  });

  it("never goes below a minimum width: the line may wrap instead", () => {
    expect(fitWidths([30, 40, 50], [{ keep: true }, {}, {}], 20)).toEqual([8, 8, 8]);
  });
});

describe("truncate", () => {
  it.each([
    ["abcdef", 6, "abcdef"],
    ["abcdefg", 6, "abcde…"],
    ["ab cdefg", 4, "ab…"],
    ["abc", 1, "…"],
  ])("%j to %i → %j", (text, to, expected) => expect(truncate(text, to)).toBe(expected));
});
