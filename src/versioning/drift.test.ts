import { describe, expect, it } from "vitest";
import { diffDefinitions } from "./diff.js";
import { driftChanges, highestSeverity, withSeverityOverrides } from "./drift.js";

const v1 = {
  slug: "crm",
  name: "CRM",
  baseUrl: "https://crm.example.com",
  authSchemes: [],
  actions: [
    { name: "contacts.list", method: "GET", path: "/contacts", summary: "List contacts" },
    { name: "contacts.get", method: "GET", path: "/contacts/{id}", inputSchema: { type: "object", properties: { id: { type: "string" } } } },
  ],
};

describe("driftChanges", () => {
  it("rates each change breaking, non-breaking or informational, with the classifier's verdict", () => {
    const v2 = {
      ...v1,
      actions: [
        { ...v1.actions[0]!, summary: "List all contacts" },
        { name: "contacts.create", method: "POST", path: "/contacts" },
      ],
    };
    const changes = driftChanges(diffDefinitions(v1, v2, { fromVersion: 1, toVersion: 2 }));
    expect(changes.map(({ action, kind, severity }) => `${action} ${kind} ${severity}`).sort()).toEqual([
      "contacts.create action-added non-breaking",
      "contacts.get action-removed breaking",
      "contacts.list summary-changed informational",
    ]);
    expect(highestSeverity(changes)).toBe("breaking");
    expect(highestSeverity(changes.filter((change) => change.severity !== "breaking"))).toBe("non-breaking");
    expect(highestSeverity([])).toBe("informational");
  });

  it("gives the same change the same fingerprint every time, and a new one once it changes again", () => {
    const narrowed = (type: string) => ({ ...v1, actions: [v1.actions[0]!, { ...v1.actions[1]!, inputSchema: { type: "object", properties: { id: { type } } } }] });
    const first = driftChanges(diffDefinitions(v1, narrowed("integer"), { fromVersion: 1, toVersion: 2 }));
    const again = driftChanges(diffDefinitions(v1, narrowed("integer"), { fromVersion: 7, toVersion: 9 }));
    const moved = driftChanges(diffDefinitions(v1, narrowed("boolean"), { fromVersion: 1, toVersion: 2 }));
    expect(first).toHaveLength(1);
    expect(first[0]!.fingerprint).toMatch(/^[0-9a-f]{24}$/);
    expect(again.map((change) => change.fingerprint)).toEqual(first.map((change) => change.fingerprint));
    expect(moved[0]!.fingerprint).not.toBe(first[0]!.fingerprint);
  });

  it("applies severity levels without touching fingerprints, and drops ignored kinds", () => {
    const v2 = { ...v1, actions: [{ ...v1.actions[0]!, summary: "List all contacts" }] };
    const changes = driftChanges(diffDefinitions(v1, v2, { fromVersion: 1, toVersion: 2 }));
    const rated = withSeverityOverrides(changes, { "action-removed": "non-breaking", "summary-changed": "ignore" });
    expect(rated).toEqual([{ ...changes.find((change) => change.kind === "action-removed")!, severity: "non-breaking" }]);
    expect(withSeverityOverrides(changes, {})).toEqual(changes);
  });
});
