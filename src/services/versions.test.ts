import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IntegrationDefinitionSchema, type IntegrationDefinitionInput } from "../contract/index.js";
import type { Store } from "../store/index.js";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import { definitionHash, legacyDefinitionHash } from "../lib/definition-hash.js";
import { checkReplacement } from "./rescrape.js";
import { DefinitionHashes, VersionService } from "./versions.js";

function definition(actions: IntegrationDefinitionInput["actions"], overrides: Partial<IntegrationDefinitionInput> = {}) {
  return IntegrationDefinitionSchema.parse({ slug: "petstore", name: "Petstore", baseUrl: "https://petstore.example.com", actions, ...overrides });
}

const list = { name: "pets.list", method: "GET", path: "/pets" } as const;
const get = { name: "pets.get", method: "GET", path: "/pets/{id}" } as const;
const count = { name: "pets.count", method: "GET", path: "/pets/count" } as const;

describe.each(storeBackends)("the versions service on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let tenantId: string;
  let service: VersionService;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    tenantId = (await store.tenants.create("Acme")).id;
    service = new VersionService(store);
  });
  afterEach(async () => dispose());

  /** Runs `interloper` once, right after the service's next read of the latest version: a write landing between its read and its write. */
  function afterNextLatest(interloper: () => Promise<unknown>) {
    const original = store.versions.latest.bind(store.versions);
    let done = false;
    store.versions.latest = async (...args) => {
      const latest = await original(...args);
      if (!done) {
        done = true;
        await interloper();
      }
      return latest;
    };
  }

  it("describes each version against the one before it, and makes nothing of content equal to the latest", async () => {
    expect(await service.create(tenantId, { definition: definition([list]), actor: "test" })).toMatchObject({ kind: "saved", version: 1, created: true });
    expect(await service.create(tenantId, { definition: definition([list]), actor: "test" })).toMatchObject({ kind: "saved", version: 1, created: false });
    expect(await service.create(tenantId, { definition: definition([list, get]), actor: "test" })).toMatchObject({ kind: "saved", version: 2, created: true });
    expect((await store.versions.list(tenantId, "petstore"))!.map((v) => [v.version, v.changelog, v.diffSummary?.added ?? null])).toEqual([
      [2, "actions: 1 added", 1],
      [1, "first version", null],
    ]);
  });

  it("recognises content equal to a version saved with a format-1 hash (before format 2) as unchanged, and hashes new versions in format 2", async () => {
    const v1 = definition([list]);
    await store.versions.save(tenantId, v1, { contentHash: legacyDefinitionHash(v1), createdBy: "old waygate" });
    expect(await service.create(tenantId, { definition: definition([list]), actor: "test" })).toMatchObject({ kind: "saved", version: 1, created: false, contentHash: legacyDefinitionHash(v1) });
    const hashes = new DefinitionHashes(definition([list]));
    expect(hashes.matches(legacyDefinitionHash(v1))).toBe(true);
    expect(await checkReplacement(store, tenantId, definition([list]), hashes)).toEqual({ kind: "safe" });
    expect(await service.create(tenantId, { definition: definition([list, get]), actor: "test" })).toMatchObject({ kind: "saved", version: 2, created: true });
    const latest = await store.versions.latest(tenantId, "petstore");
    expect(latest?.contentHash).toBe(definitionHash(definition([list, get])));
    expect(latest?.contentHash.startsWith("sha256:v2:")).toBe(true);
    expect(new DefinitionHashes(definition([list])).matches(latest!.contentHash)).toBe(false);
  });

  it("composes again when another version lands while it diffs, so the diff is against the version really before it", async () => {
    await service.create(tenantId, { definition: definition([list]), actor: "test" });
    afterNextLatest(() => store.versions.save(tenantId, definition([list, get]), { contentHash: "other", createdBy: "other" }));
    const saved = await service.create(tenantId, { definition: definition([list, get, count]), actor: "test" });
    expect(saved).toMatchObject({ kind: "saved", version: 3, created: true });
    expect(await store.versions.get(tenantId, "petstore", 3)).toMatchObject({ changelog: "actions: 1 added", diffSummary: { added: 1 } });
  });

  it("gives up with a typed outcome, writing nothing, when versions keep landing", async () => {
    await service.create(tenantId, { definition: definition([list]), actor: "test" });
    afterNextLatest(() => store.versions.save(tenantId, definition([list, get]), { contentHash: "other", createdBy: "other" }));
    const outcome = await new VersionService(store, { maxAttempts: 1 }).create(tenantId, { definition: definition([list, count]), actor: "test" });
    expect(outcome).toMatchObject({ kind: "contended" });
    expect((await store.versions.list(tenantId, "petstore"))!.map((v) => v.version)).toEqual([2, 1]);
  });

  it("refuses a definition whose stored texts hold a NUL, naming the field", async () => {
    const outcome = await service.create(tenantId, { definition: definition([{ ...list, summary: "a\u0000b" }]), actor: "test" });
    expect(outcome).toEqual({ kind: "invalid", field: "actions.0.summary", message: "must not contain NUL (U+0000)" });
    expect(await store.versions.list(tenantId, "petstore")).toBeUndefined();
  });

  it("saves nothing and answers moved when a rollback lands between reading the current version and saving the amendment", async () => {
    await service.create(tenantId, { definition: definition([list]), actor: "test" });
    await service.create(tenantId, { definition: definition([list, get]), actor: "test" });
    const original = store.versions.definition.bind(store.versions);
    let rolledBack = false;
    store.versions.definition = async (...args) => {
      const read = await original(...args);
      if (!rolledBack) {
        rolledBack = true;
        expect(await service.rollback(tenantId, "petstore", 1, { actor: "other" })).toMatchObject({ kind: "done" });
      }
      return read;
    };
    const outcome = await service.setAuth(tenantId, "petstore", [{ type: "bearer" }], { actor: "test" });
    expect(outcome).toMatchObject({ kind: "moved", current: 1 });
    expect(outcome.kind === "moved" && outcome.message).toMatch(/moved while this change was being saved \(it was made from version 2; version 1 is current now\)/);
    expect((await store.versions.list(tenantId, "petstore"))!.map((v) => v.version)).toEqual([2, 1]);
    expect((await store.integrations.find(tenantId, "petstore"))!.currentVersion).toBe(1);
    // Against the new current version, the same amendment goes through.
    expect(await service.setAuth(tenantId, "petstore", [{ type: "bearer" }], { actor: "test" })).toMatchObject({ kind: "saved", version: 3, integration: { currentVersion: 3 } });
  });

  it("answers a request key with what it came to the first time, whatever landed since", async () => {
    await service.create(tenantId, { definition: definition([list]), actor: "import:job_1", requestKey: "import:job_1" });
    await service.create(tenantId, { definition: definition([list, get]), actor: "test" });
    const again = await service.create(tenantId, { definition: definition([list]), actor: "import:job_1", requestKey: "import:job_1" });
    expect(again).toMatchObject({ kind: "saved", version: 1, created: true, integration: { currentVersion: 2 } });
  });

  it("checks a publish for breaking changes against the version current when it moves", async () => {
    await service.create(tenantId, { definition: definition([list, get]), actor: "test" });
    await service.create(tenantId, { definition: definition([list, get, count]), actor: "test" });
    await service.create(tenantId, { definition: definition([list, count]), actor: "test", draft: true });
    // v3 removes pets.get: breaking against v2 (current) and against v1.
    expect(await service.publish(tenantId, "petstore", 3, { actor: "test", failOnBreaking: true })).toMatchObject({ kind: "breaking", current: 2, breaking: [expect.stringContaining("pets.get")] });

    // The current version moves between the check and the move: checked again against the new one.
    await service.create(tenantId, { definition: definition([list, get, count], { name: "Petstore 4" }), actor: "test", draft: true });
    const original = store.integrations.find.bind(store.integrations);
    let moved = false;
    store.integrations.find = async (...args) => {
      const found = await original(...args);
      if (!moved) {
        moved = true;
        await service.publish(tenantId, "petstore", 3, { actor: "other" });
      }
      return found;
    };
    // v4 adds back pets.get: not breaking against v2 (checked first), nor against v3 (current once it moves).
    expect(await service.publish(tenantId, "petstore", 4, { actor: "test", failOnBreaking: true })).toMatchObject({ kind: "done", version: { version: 4, current: true } });
    const history = (await store.versions.history(tenantId, "petstore"))!;
    expect(history.slice(0, 2).map((event) => `${event.kind}:${event.version}<-${event.previousVersion}`)).toEqual(["published:4<-3", "published:3<-2"]);
  });

  it("rolls back only to a published version", async () => {
    await service.create(tenantId, { definition: definition([list]), actor: "test" });
    await service.create(tenantId, { definition: definition([list, get]), actor: "test", draft: true });
    expect(await service.rollback(tenantId, "petstore", 2, { actor: "test" })).toEqual({ kind: "not-published", version: 2 });
    expect(await service.rollback(tenantId, "petstore", 9, { actor: "test" })).toEqual({ kind: "missing", what: "version" });
    expect(await service.rollback(tenantId, "nope", 1, { actor: "test" })).toEqual({ kind: "missing", what: "integration" });
  });
});
