import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ClaimedJob, Store } from "../../store/index.js";
import { openTestStore, storeBackends } from "../../../test/support/stores.js";
import { importHandler } from "./import.js";

/** A small OpenAPI document whose content differs by its description (a compatible change: a new title would look like another API and wait as a draft). */
function spec(variant: string): string {
  return JSON.stringify({
    openapi: "3.0.3",
    info: { title: "Pets", description: `variant ${variant}`, version: "1" },
    servers: [{ url: "https://pets.example.com" }],
    paths: { "/pets": { get: { operationId: "listPets", responses: { "200": { description: "ok" } } } } },
  });
}

/**
 * A worker can die (kill -9) after an import saved its version and before the job was
 * marked done; the job is then claimed again and runs from the start. Whatever landed
 * meanwhile, the resumed run must find its own result instead of applying its content again.
 */
describe.each(storeBackends)("a resumed import job on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let tenantId: string;
  const handler = importHandler({ allowPrivateNetwork: true, maxDocumentBytes: 1_000_000, env: {} });

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    tenantId = (await store.tenants.create("Acme")).id;
  });
  afterEach(async () => dispose());

  const job = (id: string, title: string, attempts = 1): ClaimedJob => ({
    id,
    tenantId,
    type: "import",
    payload: { source: { content: spec(title), filename: "pets.json" }, slug: "pets" },
    attempts,
    maxAttempts: 3,
  });
  const run = (claimed: ClaimedJob) => handler({ job: claimed, store, signal: new AbortController().signal, progress: () => {} });
  const history = async () => (await store.versions.list(tenantId, "pets"))!.map((version) => `${version.version}:${version.createdBy}${version.current ? "*" : ""}`);

  it("reports the version it created (created: true) and never rolls back a newer import", async () => {
    expect(await run(job("job_a", "A"))).toMatchObject({ kind: "succeeded", result: { version: 1, created: true } });
    // kill -9 here: job_a stays "running"; job_b lands meanwhile.
    expect(await run(job("job_b", "B"))).toMatchObject({ kind: "succeeded", result: { version: 2, created: true } });

    const resumed = await run(job("job_a", "A", 2));
    expect(resumed).toMatchObject({ kind: "succeeded", result: { integration: "pets", version: 1, created: true } });
    expect(await history()).toEqual(["2:import:job_b*", "1:import:job_a"]);
  });

  it("reports content that was already current as unchanged again, even after newer versions landed", async () => {
    await run(job("job_a", "A"));
    expect(await run(job("job_same", "A"))).toMatchObject({ kind: "succeeded", result: { version: 1, created: false } });
    // kill -9 here: job_same stays "running"; job_b lands meanwhile.
    await run(job("job_b", "B"));

    const resumed = await run(job("job_same", "A", 2));
    expect(resumed).toMatchObject({ kind: "succeeded", result: { version: 1, created: false } });
    expect(await history()).toEqual(["2:import:job_b*", "1:import:job_a"]);
  });
});
