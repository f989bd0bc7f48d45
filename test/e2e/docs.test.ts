import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { settingsMarkdownTable } from "../../src/server/config.js";

const START = "<!-- settings-table:start -->";
const END = "<!-- settings-table:end -->";

/** The text between the markers; with UPDATE_DOCS=1 it is rewritten from the config schema first. */
function tableIn(file: URL): string {
  let text = readFileSync(file, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  expect(start, `${file.pathname} has the table markers`).toBeGreaterThan(-1);
  if (process.env.UPDATE_DOCS === "1") {
    text = `${text.slice(0, start + START.length)}\n${settingsMarkdownTable()}\n${text.slice(end)}`;
    writeFileSync(file, text);
  }
  return text.slice(text.indexOf(START) + START.length, text.indexOf(END)).trim();
}

describe("the settings tables in the docs", () => {
  it.each(["docs/deploy.md", "README.md"])("%s lists every server setting as src/server/config.ts declares it (UPDATE_DOCS=1 rewrites it)", (path) => {
    expect(tableIn(new URL(`../../${path}`, import.meta.url))).toBe(settingsMarkdownTable());
  });

  it("the README links the deployment guide", () => {
    expect(readFileSync(new URL("../../README.md", import.meta.url), "utf8")).toContain("](docs/deploy.md)");
  });
});
