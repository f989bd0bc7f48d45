/**
 * The generator's last guard: a generated module that does not parse is never returned. The
 * escaping that keeps specs' text inert is tested in hostile.test.ts; this checks the guard
 * itself, by breaking generated files the way a hole in that escaping would.
 */
import { describe, expect, test } from "vitest";
import { generateClient } from "../../src/codegen/index.js";
import { assertEveryModuleParses } from "../../src/codegen/parse-guard.js";
import { CodegenError } from "../../src/codegen/naming.js";
import { loadManifest } from "./support/manifests.js";

const files = generateClient(loadManifest("small-manifest.json"), { generatorVersion: "0.0.0-test" });

describe("every generated module parses before it is returned", () => {
  test("the generator's own output passes", () => {
    expect(() => assertEveryModuleParses(files)).not.toThrow();
  });

  test("declaration files, where nothing runs, are not parsed", () => {
    const broken = new Map(files).set("slack.types.d.ts", "export type Broken = (");
    expect(() => assertEveryModuleParses(broken)).not.toThrow();
  });

  test.each([
    ["a string left open", "slack.ts", (text: string) => text.replace('"slack", 7', '"slack, 7')],
    ["a comment closed early", "index.ts", (text: string) => text.replace("/**", "/** */ export const pwned = (")],
    ["a broken runtime", "runtime.js", (text: string) => `${text}\nexport function (`],
  ])("%s in %s is refused, naming the file and the line", (_what, file, breakIt) => {
    const broken = new Map(files);
    const original = broken.get(file)!;
    const changed = breakIt(original);
    expect(changed).not.toBe(original);
    broken.set(file, changed);
    expect(() => assertEveryModuleParses(broken)).toThrow(CodegenError);
    expect(() => assertEveryModuleParses(broken)).toThrow(new RegExp(`the generated ${file.replace(".", "\\.")} does not parse \\(\\d+:\\d+: `));
  });
});
