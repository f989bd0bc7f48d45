import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderDocsSite } from "../../benchmarks/support/docs-site.mjs";
import { importDocument } from "../../src/importer/index.js";
import type { TestDatabase } from "../support/stores.js";
import { runCli, startCliServer, type ServerProcess } from "../support/cli.js";

/**
 * A docs site without a spec, scraped through the built CLI and a real server: the server
 * crawls it (in its import process), the version lands as a draft, and `versions review`
 * lists what a person should check.
 */
describe("scraping a docs site through the built CLI", { timeout: 90_000 }, () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  let docs: Server;
  let docsUrl: string;
  const hits: string[] = [];
  let site: { pages: Record<string, string> };

  beforeAll(async () => {
    const spec = await importDocument({ kind: "content", content: readFileSync(new URL("../../fixtures/importer/petstore-3.0.yaml", import.meta.url)), filename: "petstore-3.0.yaml" });
    if (spec.kind !== "imported") throw new Error(spec.error.message);
    site = renderDocsSite(spec.definition, "pages");
    // One page whose example carries an id where the docs name no parameter: something to review.
    site.pages["/reference/lookup.html"] = `<html><body><h1>Look up an owner</h1><pre>curl ${spec.definition.baseUrl}/owners/8812/badges -H "Authorization: Bearer YOUR_TOKEN"</pre></body></html>`;
    site.pages["/reference/"] = site.pages["/reference/"]!.replace("</main>", '<a href="/reference/lookup.html">Lookup</a></main>');
    docs = createServer((request, response) => {
      const path = (request.url ?? "/").split("?")[0]!;
      hits.push(path);
      const body = site.pages[path];
      if (body === undefined) response.writeHead(404).end("not found");
      else response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
    });
    await new Promise<void>((resolve) => docs.listen(0, "127.0.0.1", resolve));
    docsUrl = `http://127.0.0.1:${(docs.address() as AddressInfo).port}`;
    ({ database, server, env } = await startCliServer());
  });
  afterAll(async () => {
    await server?.stop();
    docs?.close();
    await database?.drop();
  });

  it("crawls the site into one draft version and lists what to review", async () => {
    const scraped = await runCli(["scrape", `${docsUrl}/reference/`, "--slug", "petstore", "--json"], { env });
    expect(scraped.code, scraped.stderr).toBe(0);
    const result = JSON.parse(scraped.stdout) as { status: string; actionCount: number; format: string; warnings: Array<{ code: string }> };
    expect(result).toMatchObject({ status: "draft", actionCount: 8, format: "html" });
    expect(hits).toContain("/robots.txt");

    const review = await runCli(["versions", "review", "petstore", "1", "--json"], { env });
    expect(review.code, review.stderr).toBe(0);
    const items = (JSON.parse(review.stdout) as { items: Array<{ subject: string; kind: string; doubts: string[]; source?: string }> }).items;
    const lookup = items.find((item) => item.kind === "action" && item.source === `${docsUrl}/reference/lookup.html`);
    expect(lookup?.doubts.join(" ")).toMatch(/path parameter inferred from an example value/);
    // The auth page and every example agree: no auth item.
    expect(items.some((item) => item.kind === "auth")).toBe(false);

    const plain = await runCli(["versions", "review", "petstore", "1"], { env });
    expect(plain.stdout).toMatch(/^SUBJECT\s+CONFIDENCE\s+DOUBTS\s+SOURCE\n/);
    expect(plain.stderr).toContain("waygate integrations edit petstore");
  });

  it("a drift check crawls the site again as the import did: nothing new while it is unchanged, a removed page is a breaking change", async () => {
    expect((await runCli(["versions", "publish", "petstore", "1"], { env })).code).toBe(0);
    const quiet = await runCli(["drift", "check", "petstore", "--json"], { env });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(JSON.parse(quiet.stdout)).toMatchObject({ check: { outcome: "no-change" }, report: null });

    // An endpoint's own page (not the authentication page, which only repeats what the examples show).
    const removed = Object.keys(site.pages).find((path) => /\/reference\/.+\.html$/.test(path) && !/lookup|auth/.test(path))!;
    const page = site.pages[removed]!;
    delete site.pages[removed];
    try {
      const drifted = await runCli(["drift", "check", "petstore", "--json"], { env });
      expect(drifted.code, drifted.stderr).toBe(0);
      const result = JSON.parse(drifted.stdout) as { report: { severity: string; changes: Array<{ kind: string; severity: string }> } | null };
      expect(result.report?.severity, `${removed}: ${drifted.stdout.slice(0, 600)}`).toBe("breaking");
      expect(result.report?.changes.some((change) => change.severity === "breaking")).toBe(true);
    } finally {
      site.pages[removed] = page;
    }
  });

  it("stops at --max-pages and says so", async () => {
    const scraped = await runCli(["scrape", `${docsUrl}/reference/`, "--slug", "petstore-few", "--max-pages", "3", "--json"], { env });
    expect(scraped.code, scraped.stderr).toBe(0);
    const result = JSON.parse(scraped.stdout) as { actionCount: number; warnings: Array<{ code: string; message: string }> };
    expect(result.actionCount).toBeLessThanOrEqual(2);
    expect(result.warnings.find((warning) => warning.code === "crawl_limit")?.message).toMatch(/maxPages limit \(3\) after 3 pages/);
  });

  it("refuses crawl flags for a local file, before any request", async () => {
    const refused = await runCli(["scrape", "fixtures/scrape/todo-v1.yaml", "--max-pages", "3"], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("are for docs URLs: a local file is one document");
  });
});
