import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../../test/support/server.js";
import { createContext } from "../../context.js";
import { createBufferIO } from "../../io.js";
import { emit } from "../../output.js";
import * as create from "./create.js";
import * as list from "./list.js";
import * as show from "./show.js";

describe("integrations commands against the real API", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  const contextFor = (options: { tty?: boolean; color?: boolean; json?: boolean; stdin?: string } = {}) => {
    const io = createBufferIO(options);
    const context = createContext({
      io,
      env: { WAYGATE_CONFIG_DIR: mkdtempSync(path.join(tmpdir(), "waygate-cmd-")), WAYGATE_API_URL: server.url, WAYGATE_API_KEY: server.tenantKey },
      globals: { json: options.json ?? false, debug: false, color: options.color ?? false, yes: false },
    });
    return { io, context };
  };

  it("creates from a file, refusing an invalid definition with its path before any request", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-def-"));
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ slug: "x", name: "X", baseUrl: "not a url", actions: [{ name: "a b", method: "GET", path: "/" }] }));
    const { context } = contextFor();
    await expect(create.run(context, { file: bad })).rejects.toThrow(new RegExp(`${bad} is not a valid integration definition:\\n  baseUrl: .*\\n  actions.0.name:`));
    expect((await server.store.integrations.list(server.tenantId, { limit: 10 })).data).toEqual([]);

    const good = path.join(dir, "good.json");
    const definition = { slug: "github", name: "GitHub", baseUrl: "https://api.github.com", actions: [{ name: "issues.create", method: "POST", path: "/repos/{owner}/{repo}/issues" }] };
    writeFileSync(good, JSON.stringify(definition));
    const { io, context: second } = contextFor();
    emit(second, await create.run(second, { file: good }), create.render);
    expect(io.stdout()).toBe("Created github version 1 with 1 action.\n");
    const { io: stdinIO, context: third } = contextFor({ stdin: JSON.stringify(definition) });
    emit(third, await create.run(third, { file: "-" }), create.render);
    expect(stdinIO.stdout()).toBe("github is unchanged: version 1 already has this content.\n");
  });

  it("lists as an aligned table, as JSON, and with colour only when asked", async () => {
    const plain = contextFor();
    emit(plain.context, await list.run(plain.context, { all: false }), list.render);
    expect(plain.io.stdout()).toMatch(/^SLUG {4}NAME {4}VERSION {2}ACTIONS {2}AUTH {2}UPDATED\ngithub {2}GitHub {2}1 {8}1 {8}none {2}\d{4}-\d\d-\d\d\n$/);

    const json = contextFor({ json: true });
    emit(json.context, await list.run(json.context, { all: false }), list.render);
    expect(JSON.parse(json.io.stdout())).toMatchObject({ data: [{ slug: "github" }], nextCursor: null });

    const coloured = contextFor({ tty: true, color: true });
    emit(coloured.context, await list.run(coloured.context, { all: false }), list.render);
    expect(coloured.io.stdout()).toContain("\u001b[1mSLUG");
    expect(plain.io.stdout()).not.toContain("\u001b[");
  });

  it("pages with --limit, hints the next cursor on stderr, and follows every page with --all", async () => {
    for (const slug of ["alpha", "beta", "gamma"]) {
      await server.store.versions.save(
        server.tenantId,
        { slug, name: slug, baseUrl: "https://example.com", authSchemes: [], authTypeUnverified: true, actions: [] },
        { contentHash: slug, createdBy: "test" },
      );
    }
    const page = contextFor();
    emit(page.context, await list.run(page.context, { all: false, limit: 2 }), list.render);
    expect(page.io.stdout().trim().split("\n")).toHaveLength(3);
    expect(page.io.stderr()).toMatch(/More results: add --cursor \S+, or --all\./);

    const all = contextFor({ json: true });
    emit(all.context, await list.run(all.context, { all: true, limit: 1 }), list.render);
    expect((JSON.parse(all.io.stdout()) as { data: Array<{ slug: string }> }).data.map((i) => i.slug)).toEqual(["alpha", "beta", "gamma", "github"]);
  });

  it("shows the first paragraph of a long description, the whole of it with --full, and all of it in --json", async () => {
    const description = "The Stripe REST API.\nPlease see the docs.\n\nSecond paragraph with details.";
    await server.store.versions.save(
      server.tenantId,
      { slug: "described", name: "Described", description, baseUrl: "https://example.com", authSchemes: [], authTypeUnverified: false, actions: [] },
      { contentHash: "described", createdBy: "test" },
    );
    const short = contextFor();
    emit(short.context, await show.run(short.context, { slug: "described" }), show.render);
    expect(short.io.stdout()).toMatch(/^Description:\s+The Stripe REST API\. Please see the docs\. \(more with --full\)$/m);
    const full = contextFor();
    emit(full.context, await show.run(full.context, { slug: "described", full: true }), show.render);
    expect(full.io.stdout()).toContain("Second paragraph with details.");
    const json = contextFor({ json: true });
    emit(json.context, await show.run(json.context, { slug: "described" }), show.render);
    expect((JSON.parse(json.io.stdout()) as { description: string }).description).toBe(description);
  });

  it("shows an unverified auth type as such", async () => {
    const { io, context } = contextFor();
    emit(context, await show.run(context, { slug: "alpha" }), show.render);
    expect(io.stdout()).toMatch(/Auth:\s+none \(unverified: the docs declare no auth\)/);
  });
});
