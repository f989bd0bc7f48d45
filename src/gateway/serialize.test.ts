import { describe, expect, it } from "vitest";
import { encodeComponent, serializeHeader, serializePath, serializeQuery } from "./serialize.js";

// Expected values are the "Style Examples" table of OpenAPI 3.1 §4.8.12.4 (color = ["blue","black","brown"] / {R:100,G:200,B:150}).
const array = ["blue", "black", "brown"];
const object = { R: 100, G: 200, B: 150 };
const joined = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).join("&");

describe("OpenAPI parameter styles", () => {
  it.each([
    ["simple", false, "blue", "blue"],
    ["simple", false, array, "blue,black,brown"],
    ["simple", false, object, "R,100,G,200,B,150"],
    ["simple", true, object, "R=100,G=200,B=150"],
    ["label", false, array, ".blue,black,brown"],
    ["label", true, array, ".blue.black.brown"],
    ["label", true, object, ".R=100.G=200.B=150"],
    ["matrix", false, "blue", ";color=blue"],
    ["matrix", false, array, ";color=blue,black,brown"],
    ["matrix", true, array, ";color=blue;color=black;color=brown"],
    ["matrix", true, object, ";R=100;G=200;B=150"],
  ])("path %s explode=%s %j → %s", (style, explode, value, expected) => {
    expect(serializePath("color", value, style, explode)).toBe(expected);
  });

  it.each([
    ["form", true, array, "color=blue&color=black&color=brown"],
    ["form", false, array, "color=blue,black,brown"],
    ["form", true, object, "R=100&G=200&B=150"],
    ["form", false, object, "color=R,100,G,200,B,150"],
    ["spaceDelimited", false, array, "color=blue%20black%20brown"],
    ["pipeDelimited", false, array, "color=blue|black|brown"],
    ["deepObject", true, object, "color[R]=100&color[G]=200&color[B]=150"],
  ])("query %s explode=%s %j → %s", (style, explode, value, expected) => {
    expect(joined(serializeQuery("color", value, style, explode))).toBe(expected);
  });

  it("defaults query parameters to form with explode", () => {
    expect(joined(serializeQuery("tag", ["a", "b"]))).toBe("tag=a&tag=b");
  });

  it("percent-encodes everything outside RFC 3986 unreserved characters", () => {
    expect(encodeComponent("a b/c?d#e&f=g!'()*~._-")).toBe("a%20b%2Fc%3Fd%23e%26f%3Dg%21%27%28%29%2A~._-");
  });

  it("comma-joins header arrays", () => {
    expect(serializeHeader(["a", "b"])).toBe("a,b");
  });
});
