import { describe, expect, it } from "vitest";
import type { IntegrationDefinition } from "../contract/integrations.js";
import { contentHash } from "../lib/canonical-json.js";
import { definitionHash } from "./hash.js";

describe("definitionHash", () => {
  it("equals contentHash, including index-like keys, undefined members and shared $defs", () => {
    const shared = { type: "object", properties: { b: { type: "string" }, a: { enum: [1, "2", null] } } };
    const definition = {
      slug: "x",
      name: "X",
      baseUrl: "https://x.example.com",
      authSchemes: [],
      authTypeUnverified: true,
      description: undefined,
      actions: [
        {
          name: "a.b",
          method: "GET",
          path: "/a",
          deprecated: false,
          tags: ["t"],
          inputSchema: { type: "object", properties: { "10": {}, "9": {}, z: {}, "01": {}, "": {} }, $defs: { S: shared } },
          outputSchema: { $ref: "#/$defs/S", $defs: { S: shared } },
          errors: { "404": { description: "nope \u2028 \"q\"" }, "4XX": {}, default: {}, "200": {} },
          pagination: null,
        },
      ],
    } as unknown as IntegrationDefinition;
    expect(definitionHash(definition)).toBe(contentHash(definition));
  });
});
