import { fullFormats } from "ajv-formats/dist/formats.js";
import { describe, expect, it } from "vitest";
import { linearFormats } from "./formats.js";
import { MatchBudget } from "./match-budget.js";

const table = linearFormats(new MatchBudget());

function check(name: string): (value: string) => boolean {
  const format = table.get(name);
  if (typeof format === "function") return format as (value: string) => boolean;
  if (typeof format === "object" && !(format instanceof RegExp) && typeof format.validate === "function") return format.validate as (value: string) => boolean;
  throw new Error(`no linear format ${name}`);
}

/** ajv-formats' own check, on the backtracking engine: the meaning to keep. */
function original(name: string): (value: string) => boolean {
  const definition = (fullFormats as Record<string, unknown>)[name];
  const validate = definition instanceof RegExp ? definition : (definition as { validate: unknown }).validate;
  return validate instanceof RegExp ? (value) => validate.test(value) : (validate as (value: string) => boolean);
}

const SAMPLES: Record<string, string[]> = {
  duration: ["P", "PT", "P1D", "P1DT", "PT1H", "P1Y2M3DT4H5M6S", "P2W", "P1W2D", "PT1M", "P1DT2S", "1D", "P1H"],
  hostname: ["example.com", "a", "-a.com", "a-.com", "a.b-c.d", "x".repeat(63) + ".com", "x".repeat(64) + ".com", `${"a.".repeat(126)}a`, `${"a.".repeat(126)}ab`, `${"a.".repeat(126)}a.`, "exa mple.com", "EXAMPLE.COM", ""],
  url: [
    "http://example.com",
    "https://example.com/a?b=c#d",
    "ftp://user:pass@example.com:21/file",
    "http://8.8.8.8",
    "http://10.0.0.1",
    "http://100.0.0.1",
    "http://127.0.0.1:8080/x",
    "http://126.1.1.1",
    "http://169.254.1.1",
    "http://169.253.1.1",
    "http://192.168.1.1",
    "http://192.169.1.1",
    "http://172.16.0.1",
    "http://172.15.0.1",
    "http://172.31.255.254",
    "http://172.32.0.1",
    "http://223.1.1.1",
    "http://224.1.1.1",
    "http://1.2.3.0",
    "http://10.0.0.1.example.com",
    "http://a@10.0.0.1",
    "http://xn--d1acpjx3f.xn--p1ai",
    "http://пример.рф",
    "http://localhost",
    "mailto:a@b.co",
    "http://example.com/ spaces",
    "HTTP://EXAMPLE.COM",
  ],
  email: ["ada@example.com", "a.b+c@d.co", "a@b", "@b.com", "a@-b.com", "a b@c.com"],
  ipv4: ["1.2.3.4", "256.1.1.1", "01.1.1.1", "1.2.3"],
  ipv6: ["::1", "1::", "fe80::1%eth0", "2001:db8::8a2e:370:7334", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.4"],
  uuid: ["123e4567-e89b-12d3-a456-426614174000", "urn:uuid:123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000"],
  "uri-reference": ["http://a/b?c#d", "/relative/path", "#frag", "a b", "//host", "http://[::1]/"],
  "uri-template": ["http://a/{b}", "/{+path}/x{?q,r}", "{", "/{a b}"],
  "json-pointer": ["", "/a/b", "/a~0b", "/a~2", "a"],
  "json-pointer-uri-fragment": ["#", "#/a/b", "#/a%20b", "/a"],
  "relative-json-pointer": ["0", "1/a", "0#", "01", "-1"],
};

describe("linear formats", () => {
  it.each(Object.entries(SAMPLES))("%s answers as ajv-formats does", (name, values) => {
    const linear = check(name);
    const reference = original(name);
    for (const value of values) expect(linear(value), JSON.stringify(value)).toBe(reference(value));
  });

  it("covers every ajv-formats format that is a regular expression", () => {
    const expressions = Object.entries(fullFormats).filter(([, definition]) => definition instanceof RegExp || (typeof definition === "object" && (definition as { validate?: unknown }).validate instanceof RegExp));
    for (const [name] of expressions) expect(() => check(name)("x")).not.toThrow();
  });

  it("answers a hostile url in linear time (quadratic on the backtracking engine)", () => {
    const hostile = "http://a." + "::".repeat(20_000) + "!";
    const started = performance.now();
    expect(check("url")(hostile)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
