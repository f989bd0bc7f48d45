import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ImportProgress } from "../../importer/index.js";
import { GITHUB_SPEC_PATH } from "../../../test/codegen/support/github-manifest.js";
import { runImport, type ImportThread } from "./import-runner.js";

/**
 * The built import thread (`dist/import-thread.js`, as the server runs it): from the
 * sources, runImport would import in-process, so these tests hand it the built module.
 */
const threadModule = new URL("../../../dist/import-thread.js", import.meta.url);

describe("imports on the built import thread", () => {
  const thread = (heapMb?: number): ImportThread => {
    if (!existsSync(threadModule)) throw new Error("dist/import-thread.js is missing: run `npm run build` first");
    return heapMb === undefined ? { module: threadModule } : { module: threadModule, heapMb };
  };
  const todo = { kind: "content" as const, content: readFileSync(new URL("../../../fixtures/scrape/todo-v1.yaml", import.meta.url), "utf8"), filename: "todo-v1.yaml" };

  it("imports a document there and relays its progress", async () => {
    const progress: ImportProgress[] = [];
    const outcome = await runImport({ source: todo, options: { slug: "todo" } }, { onProgress: (p) => progress.push(p), signal: new AbortController().signal }, thread());
    expect(outcome).toMatchObject({ kind: "imported", definition: { slug: "todo" } });
    expect(progress.map((p) => p.stage)).toContain("parsing");
  });

  it("fails the import, not the process, when the document needs more memory than the thread may use", async () => {
    const github = { kind: "content" as const, content: readFileSync(GITHUB_SPEC_PATH), filename: "api.github.com.json" };
    const outcome = await runImport({ source: github, options: { limits: { maxDocumentBytes: 64_000_000 } } }, { onProgress: () => {}, signal: new AbortController().signal }, thread(16));
    expect(outcome).toMatchObject({ kind: "failed", error: { code: "document_limit", message: "importing the document needed more than 16 MB of memory" } });
  });

  it("stops the thread when the job is cancelled", async () => {
    const github = { kind: "content" as const, content: readFileSync(GITHUB_SPEC_PATH), filename: "api.github.com.json" };
    const controller = new AbortController();
    const running = runImport({ source: github, options: { limits: { maxDocumentBytes: 64_000_000 } } }, { onProgress: () => controller.abort(new Error("cancelled")), signal: controller.signal }, thread());
    await expect(running).rejects.toThrow("cancelled");
  });
});
