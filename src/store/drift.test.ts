import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { contentHash } from "../lib/canonical-json.js";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { IntegrationDefinitionSchema, type DriftChange } from "../contract/index.js";
import type { DriftFinding, Store } from "./index.js";

/** The drift store's guarantees that the service relies on, on each backend. */
describe.each(storeBackends)("drift store on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let tenantId: string;
  let integrationId: string;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    tenantId = (await store.tenants.create("Acme")).id;
    const definition = IntegrationDefinitionSchema.parse({ slug: "crm", name: "CRM", baseUrl: "https://crm.example.com", actions: [{ name: "a", method: "GET", path: "/a" }] });
    await store.versions.save(tenantId, definition, { contentHash: contentHash(definition), createdBy: "test" });
    const draft = { ...definition, actions: [...definition.actions, { ...definition.actions[0]!, name: "b" }] };
    await store.versions.save(tenantId, draft, { contentHash: contentHash(draft), createdBy: "test", draft: true });
    integrationId = (await store.integrations.find(tenantId, "crm"))!.id;
  });
  afterEach(async () => dispose());

  const change = (fingerprint: string): DriftChange => ({ fingerprint, severity: "non-breaking", action: "b", kind: "action-added", pointer: "", message: "b added" });
  const finding = (fingerprints: string[]): DriftFinding => ({
    tenantId,
    integrationId,
    origin: "scrape",
    actor: "test",
    baseVersion: 1,
    severity: "non-breaking",
    changes: fingerprints.map(change),
    impact: { apps: [], tenantRecentlyCalled: [], recentDays: 30 },
    proposal: { version: 2, breaking: false, changelog: "drift" },
  });

  it("of checks racing over the same changes, exactly one reports them", async () => {
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.drift.recordDrift(finding(["f1", "f2"]))));
    expect(outcomes.filter((outcome) => outcome.kind === "drift")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === "known")).toHaveLength(7);
    expect(await store.drift.reports(tenantId, { limit: 10 })).toHaveLength(1);
    expect(await store.drift.proposals(tenantId, { status: "open", limit: 10 })).toHaveLength(1);
  });

  it("a report with one new change supersedes the open proposal; rejecting suppresses its fingerprints", async () => {
    const first = await store.drift.recordDrift(finding(["f1"]));
    const second = await store.drift.recordDrift(finding(["f1", "f2"]));
    if (first.kind !== "drift" || second.kind !== "drift") throw new Error("expected two reports");
    expect(await store.drift.proposal(tenantId, first.proposalId!)).toMatchObject({ status: "superseded", supersededBy: second.proposalId });
    const rejected = await store.drift.decide(tenantId, second.proposalId!, { from: "open", to: "rejected", actor: "key:k", note: "no" });
    expect(rejected).toMatchObject({ kind: "done", proposal: { status: "rejected", note: "no", decidedBy: "key:k" } });
    expect([...(await store.drift.knownFingerprints(integrationId, ["f1", "f2", "f3"])).entries()].sort()).toEqual([
      ["f1", "suppressed"],
      ["f2", "suppressed"],
    ]);
    expect(await store.drift.decide(tenantId, second.proposalId!, { from: "open", to: "rejected", actor: "key:k", note: null })).toEqual({ kind: "conflict", status: "rejected" });
    expect((await store.versions.history(tenantId, "crm"))![0]).toMatchObject({ kind: "proposal-rejected", version: 2, note: "no" });
  });

  it("gives an open proposal to one approver of many racing", async () => {
    const recorded = await store.drift.recordDrift(finding(["f1"]));
    if (recorded.kind !== "drift") throw new Error("expected a report");
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.drift.claimForApproval(tenantId, recorded.proposalId!)));
    expect(claims.filter((claim) => claim === "claimed")).toHaveLength(1);
    expect(claims.filter((claim) => claim === "approving")).toHaveLength(9);
    await store.drift.releaseClaim(tenantId, recorded.proposalId!);
    expect(await store.drift.claimForApproval(tenantId, recorded.proposalId!)).toBe("claimed");
    expect(await store.drift.claimForApproval("ten_other", recorded.proposalId!)).toBe("missing");
  });

  it("keeps one call stamp per app and action", async () => {
    await store.drift.stampCall(integrationId, null, "a");
    await store.drift.stampCall(integrationId, null, "a");
    const recent = await store.drift.recentCalls(integrationId, new Date(Date.now() - 60_000).toISOString());
    expect([...recent.entries()].map(([app, actions]) => [app, [...actions]])).toEqual([["", ["a"]]]);
  });
});
