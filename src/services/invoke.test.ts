import { describe, expect, it } from "vitest";
import { ActionDefinitionSchema } from "../contract/index.js";
import { pickProbe } from "./invoke.js";

const action = (name: string, method: string, path: string, required: string[] = []) =>
  ActionDefinitionSchema.parse({ name, method, path, inputSchema: { type: "object", required, properties: Object.fromEntries(required.map((r) => [r, { type: "string" }])) } });

describe("pickProbe: the action `connections test` calls", () => {
  it("prefers a who-am-I action", () => {
    expect(pickProbe([action("repos.list", "GET", "/repos"), action("users.getAuthenticated", "GET", "/user"), action("me", "GET", "/me")])?.name).toBe("users.getAuthenticated");
  });

  it("falls back to the GET with the shortest path and no required input", () => {
    expect(pickProbe([action("a.list", "GET", "/a/b/c"), action("b.get", "GET", "/b/{id}", ["id"]), action("c.list", "GET", "/c"), action("d.create", "POST", "/d")])?.name).toBe("c.list");
  });

  it("finds nothing when every read needs input", () => {
    expect(pickProbe([action("b.get", "GET", "/b/{id}", ["id"]), action("d.create", "POST", "/d")])).toBeUndefined();
  });
});
