import { describe, expect, it } from "vitest";
import type { MappingStep } from "../contract/index.js";
import { applyMapping, checkMapping, unsupportedFields, unsupportedIn } from "./mapping.js";

const canonical = { type: "object", required: ["to", "text"], properties: { to: { type: "string" }, text: { type: "string" }, count: { type: "integer" }, threadId: { type: "string" } } };
const teams = {
  type: "object",
  required: ["chatId", "body"],
  properties: { chatId: { type: "string" }, body: { type: "object", required: ["content"], properties: { content: { type: "string" }, contentType: { type: "string", enum: ["text", "html"] } } }, importance: { type: "string" } },
};
const schemas = { source: canonical, target: teams, sourceName: "the canonical input", targetName: "teams' input", strictSources: true };

describe("applyMapping", () => {
  it("builds a new document from move, set, constant and template steps; absent sources are skipped; drop sends nothing", () => {
    const steps: MappingStep[] = [
      { op: "move", from: "/to", to: "/chatId" },
      { op: "set", from: "/text", to: "/body/content" },
      { op: "constant", to: "/body/contentType", value: "text" },
      { op: "template", to: "/importance", template: "{/text} ({/count})" },
      { op: "move", from: "/threadId", to: "/replyTo" },
      { op: "drop", path: "/count" },
    ];
    const input = { to: "c1", text: "hi", count: 2, extra: "not copied" };
    expect(applyMapping(steps, input)).toEqual({ chatId: "c1", body: { content: "hi", contentType: "text" }, importance: "hi (2)" });
    expect(input).toEqual({ to: "c1", text: "hi", count: 2, extra: "not copied" });
  });

  it("never writes through __proto__", () => {
    expect(() => applyMapping([{ op: "constant", to: "/__proto__/polluted", value: true }], {})).toThrow(/refused/);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("checkMapping", () => {
  it("accepts a mapping that fills every required field from required fields", () => {
    const steps: MappingStep[] = [
      { op: "move", from: "/to", to: "/chatId" },
      { op: "move", from: "/text", to: "/body/content" },
    ];
    expect(checkMapping(steps, schemas, "mapping.input")).toEqual([]);
  });

  it("names the required field nothing fills, and the one filled only from an optional field", () => {
    const errors = checkMapping([{ op: "move", from: "/threadId", to: "/chatId" }], schemas, "mapping.input").map((error) => error.message);
    expect(errors).toEqual([
      expect.stringContaining("requires /body, and no step fills it"),
      expect.stringContaining("requires /body/content, and no step fills it"),
      expect.stringContaining("requires /chatId, which is filled only from an optional field"),
    ]);
  });

  it("names a source field that does not exist, a target that does not exist, and a type that does not fit", () => {
    const errors = checkMapping(
      [
        { op: "move", from: "/txt", to: "/body/content" },
        { op: "move", from: "/to", to: "/chat" },
        { op: "move", from: "/count", to: "/chatId" },
        { op: "constant", to: "/body/contentType", value: 3 },
        { op: "template", to: "/body/content", template: "{/nope}" },
      ],
      schemas,
      "m",
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: "m[0].from", message: expect.stringContaining('"/txt" is not a field of the canonical input (it has /to, /text, /count, /threadId)') },
        { field: "m[1].to", message: expect.stringContaining('"/chat" is not a field of teams\' input') },
        { field: "m[2].to", message: "teams' input expects string at /chatId, and this step gives integer" },
        { field: "m[3].to", message: "teams' input expects string at /body/contentType, and this step gives integer" },
        { field: "m[4].template", message: expect.stringContaining('"/nope" is not a field') },
      ]),
    );
  });

  it("lets open schemas (no declared properties) take any field", () => {
    expect(checkMapping([{ op: "move", from: "/anything/deep", to: "/id" }], { source: null, target: { type: "object" }, sourceName: "s", targetName: "t", strictSources: false }, "m")).toEqual([]);
  });
});

describe("unsupported fields", () => {
  it("are the canonical fields no step reads, and the dropped ones; a call reports those it gave", () => {
    const steps: MappingStep[] = [
      { op: "move", from: "/to", to: "/chatId" },
      { op: "template", to: "/body/content", template: "{/text}" },
      { op: "drop", path: "/threadId" },
    ];
    const unsupported = unsupportedFields(steps, canonical);
    expect(unsupported).toEqual(["/count", "/threadId"]);
    expect(unsupportedIn({ to: "c", text: "t", threadId: "x" }, unsupported)).toEqual(["/threadId"]);
  });
});
