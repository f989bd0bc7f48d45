import { describe, expect, it } from "vitest";
import { compileLinearPattern, translateToRe2 } from "./linear-pattern.js";

function linear(pattern: string) {
  const compiled = compileLinearPattern(pattern);
  if (compiled.kind !== "linear") throw new Error(`${pattern}: ${compiled.reason}`);
  return compiled.regexp;
}

/** The meaning JSON Schema gives a pattern: ECMA-262, Unicode mode where the pattern allows it. */
function native(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return new RegExp(pattern);
  }
}

const INPUTS = [
  "",
  "my-repo",
  "My-Repo",
  "a",
  "abc123",
  "123-4567",
  "1234567",
  "GB",
  "gb",
  "héllo",
  "日本語",
  "Zoë",
  "Émile",
  "a_b-c.d",
  "192.168.0.1",
  "1.2.3",
  "ada@example.com",
  "a b",
  "line\nbreak",
  "carriage\rreturn",
  "sep\u2028arator",
  "nb\u00a0sp",
  "tab\there",
  "   ",
  "\u3000",
  "#1a2B3c",
  "#12345g",
  "2024-05",
  "😀",
  "😁😂",
  "ab",
  "cd",
  "v1.2.3",
  "v1.2.3.4",
  "foo",
  "a foo b",
  "food",
  "aa",
  "/api/users",
  "A",
  "\n",
  "x".repeat(300),
];

describe("compileLinearPattern", () => {
  it.each([
    "^[a-z0-9-]+$",
    "^\\d{3}-\\d{4}$",
    "^[A-Z]{2}$",
    "^\\p{L}+$",
    "^\\p{Lu}\\p{Ll}+$",
    "^\\p{Letter}+$",
    "^\\p{Script=Han}+$",
    "^[\\p{L}\\p{N}_-]{1,32}$",
    "^(\\d{1,3}\\.){3}\\d{1,3}$",
    "^\\S+@\\S+\\.\\S+$",
    "^.+$",
    "^\\s*$",
    "^\\s+$",
    "^[^\\s]+$",
    "^[\\s\\S]*$",
    "^#[0-9a-fA-F]{6}$",
    "^(?<year>\\d{4})-(?<month>\\d{2})$",
    "^\\u00e9",
    "^Zo\\u00EB$",
    "^\\u{1F600}$",
    "^\\uD83D\\uDE00$",
    "^[😀-😂]+$",
    "^.$",
    "^v\\d+(\\.\\d+){0,2}$",
    "\\bfoo\\b",
    "foo",
    "^a{2,}$",
    "^[\\w.-]+$",
    "^[\\w-.]+$",
    "^\\/api\\/",
    "^(?:ab|cd)?$",
    "^[]$",
    "^[^]$",
    "^\\x41$",
    "^\\cJ$",
    "^\\t",
    "^a{,2}$",
    "^\\{x\\}$",
    "^\\W+$",
    "^\\D+$",
  ])("matches what ECMA-262 matches for %s", (pattern) => {
    const re2 = linear(pattern);
    const reference = native(pattern);
    for (const input of INPUTS) expect(re2.test(input), JSON.stringify(input)).toBe(reference.test(input));
  });

  it.each([
    ["(a)\\1", /backreference/],
    ["(?<n>a)\\k<n>", /backreference/],
    ["(?=a)b", /lookahead/],
    ["^(?!admin$)", /lookahead/],
    ["(?<=a)b", /lookbehind/],
    ["(?<!a)b", /lookbehind/],
    ["a{1001}", /repetition count above 1000/],
    ["(", /not a valid ECMA-262/],
    ["\\p{Script_Extensions=Latin}", /not supported/],
    ["^\\uD800$", /lone surrogate/],
    ["((((a{30}){30}){30}))", /RE2 cannot run it|instructions/],
  ])("reports %s as unsupported", (pattern, reason) => {
    const compiled = compileLinearPattern(pattern);
    expect(compiled.kind).toBe("unsupported");
    if (compiled.kind === "unsupported") expect(compiled.reason).toMatch(reason);
  });

  it.each([
    ["^(\\w|\\d)+$", "1"],
    ["^(a|a)*$", "a"],
    ["^(?:a+){1,10}$", "a"],
    ["^(.*a){10}$", "a"],
    ["a*".repeat(20) + "b", "a"],
    ["^(a+)+$", "a"],
    ["(\\w+\\s?)+$", "a"],
  ])("runs the catastrophic pattern %s in linear time", (pattern, unit) => {
    const re2 = linear(pattern);
    const started = performance.now();
    for (const length of [30, 50, 10_000]) expect(re2.test(unit.repeat(length) + "!")).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("keeps ECMA-262's meaning of . and \\s, which RE2 defines differently", () => {
    expect(translateToRe2(".")).toEqual({ kind: "translated", source: "[^\\x{a}\\x{d}\\x{2028}-\\x{2029}]" });
    expect(linear("^\\s$").test("\u00a0")).toBe(true);
    expect(linear("^\\s$").test("\u000b")).toBe(true);
  });
});
