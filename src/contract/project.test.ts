import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ProjectFileSchema } from "./project.js";

describe("waygate.json", () => {
  it("ships a JSON Schema generated from the contract (update with `npx vitest run src/contract -u`)", async () => {
    const schema = z.toJSONSchema(ProjectFileSchema, { target: "draft-2020-12", io: "input" });
    await expect(JSON.stringify({ ...schema, $id: "https://waygate.dev/schemas/waygate.json" }, null, 2) + "\n").toMatchFileSnapshot("../../waygate.schema.json");
  });

  it("accepts a minimal file and fills in defaults", () => {
    expect(ProjectFileSchema.parse({ app: "web" })).toEqual({ app: "web", out: "./waygate", integrations: {} });
  });

  it.each([
    [{ app: "Web App" }, "app"],
    [{ app: "web", integrations: { github: 0 } }, "integrations"],
    [{ app: "web", integrations: { "Bad Slug": 1 } }, "integrations"],
    [{ app: "web", extra: true }, ""],
  ])("rejects %j", (value, field) => {
    const result = ProjectFileSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join(".") ?? "").toContain(field);
  });
});
