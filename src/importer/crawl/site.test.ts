import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { renderDocsSite, score, STYLES } from "../../../benchmarks/support/docs-site.mjs";
import type { IntegrationDefinition } from "../../contract/index.js";
import { importDocument } from "../index.js";
import type { ImportOutcome } from "../index.js";

/** A docs host: exact paths → HTML (or a function of the path), robots.txt and sitemap included; every path asked for is recorded. */
async function serveSite(pages: Record<string, string> | ((path: string) => string | undefined)) {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0]!;
    hits.push(path);
    const body = typeof pages === "function" ? pages(path) : pages[path];
    if (body === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const type = path.endsWith(".txt") ? "text/plain" : path.endsWith(".xml") ? "application/xml" : "text/html; charset=utf-8";
    response.writeHead(200, { "content-type": type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url, hits };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function definitionOf(fixture: string): Promise<IntegrationDefinition> {
  const outcome = await importDocument({ kind: "content", content: await readFile(new URL(`../../../fixtures/${fixture}`, import.meta.url), "utf8"), filename: fixture });
  if (outcome.kind !== "imported") throw new Error(`fixture ${fixture}: ${outcome.error.message}`);
  return outcome.definition;
}

function imported(outcome: ImportOutcome): Extract<ImportOutcome, { kind: "imported" }> {
  if (outcome.kind !== "imported") throw new Error(`import failed: ${outcome.error.code}: ${outcome.error.message}`);
  return outcome;
}

const crawl = (url: string, options: { maxPages?: number; include?: string[]; exclude?: string[] } = {}) =>
  importDocument({ kind: "url", url }, { allowPrivateNetwork: true, crawl: { delayMs: 0, ...options } });

describe("scraping a docs site rendered from a real spec", () => {
  for (const fixture of ["importer/petstore-3.0.yaml", "scrape/todo-v1.yaml"]) {
    for (const style of STYLES) {
      it(`finds every endpoint, its parameters and the auth of ${fixture} in the ${style} layout`, async () => {
        const definition = await definitionOf(fixture);
        const site = renderDocsSite(definition, style);
        const { url } = await serveSite(site.pages);
        const outcome = imported(await crawl(url + site.start));
        const result = score(outcome.definition, site.truth);
        expect(result.endpointRecall).toBeGreaterThanOrEqual(0.95);
        expect(result.endpointPrecision).toBeGreaterThanOrEqual(0.95);
        expect(result.paramRecall).toBeGreaterThanOrEqual(0.9);
        expect(result.paramPrecision).toBeGreaterThanOrEqual(0.9);
        expect(result.authRight).toBe(true);
        // Every action says where it came from: a page of the site.
        for (const action of outcome.definition.actions) {
          expect(action.provenance?.source.startsWith(url)).toBe(true);
          expect(action.provenance?.confidence).toBeGreaterThan(0);
        }
        expect(outcome.warnings.map((warning) => warning.code)).toContain("extracted_from_html");
      });
    }
  }

  it("unifies /users/123, /users/:id and /users/{user_id} across pages into one action named by the docs", async () => {
    const page = (body: string) => `<html><body>${body}<a href="/docs/a.html">a</a><a href="/docs/b.html">b</a><a href="/docs/c.html">c</a></body></html>`;
    const { url } = await serveSite({
      "/docs/": page("<h1>Users API</h1><p>Base URL: https://api.example.com/v1</p>"),
      "/docs/a.html": page(`<h2>Get a user</h2><pre>curl https://api.example.com/v1/users/123 -H "Authorization: Bearer KEY"</pre>`),
      "/docs/b.html": page("<p>GET /users/:id returns the user.</p>"),
      "/docs/c.html": page("<h2>Get user</h2><p>GET /v1/users/{user_id}</p><table><tr><th>Name</th><th>In</th><th>Description</th></tr><tr><td>expand</td><td>query</td><td>Related objects</td></tr></table>"),
    });
    const outcome = imported(await crawl(`${url}/docs/`));
    expect(outcome.definition.baseUrl).toBe("https://api.example.com/v1");
    expect(outcome.definition.actions.map((action) => [action.method, action.path])).toEqual([["GET", "/users/{user_id}"]]);
    const [action] = outcome.definition.actions;
    expect(Object.keys(action!.inputSchema["properties"] as object).sort()).toEqual(["expand", "user_id"]);
    expect(action!.provenance).toMatchObject({ source: `${url}/docs/c.html`, doubts: [] });
    expect(outcome.definition.authSchemes).toEqual([{ type: "bearer" }]);
  });

  it("marks a path parameter inferred from an example value as a doubt, with low confidence", async () => {
    const { url } = await serveSite({ "/docs/": `<h2>Get an order</h2><pre>curl -X GET https://api.example.com/orders/8812 -H "X-API-Key: k"</pre>` });
    const outcome = imported(await crawl(`${url}/docs/`));
    const [action] = outcome.definition.actions;
    expect(action!.path).toBe("/orders/{id}");
    expect(action!.provenance?.confidence).toBeLessThan(0.8);
    expect(action!.provenance?.doubts.join(" ")).toMatch(/inferred from an example value/);
    expect(action!.provenance?.fields["id"]).toMatchObject({ confidence: 0.5 });
    // Auth only from an example, not stated on an authentication page: unverified.
    expect(outcome.definition.authTypeUnverified).toBe(true);
  });
});

describe("the crawler's bounds", () => {
  it("stops a site of 10 000 linked pages at --max-pages", async () => {
    const endpointPage = (n: number) =>
      `<html><body><h2>Thing ${n}</h2><p>GET https://api.example.com/things${n}</p>${[1, 2, 3, 4, 5].map((k) => `<a href="/docs/p/${(n * 5 + k) % 10_000}">next</a>`).join("")}</body></html>`;
    const site = await serveSite((path) => {
      const match = /^\/docs\/p\/(\d+)$/.exec(path);
      return match && Number(match[1]) < 10_000 ? endpointPage(Number(match[1])) : undefined;
    });
    const started = Date.now();
    const outcome = imported(await crawl(`${site.url}/docs/p/0`, { maxPages: 40 }));
    const pagesFetched = site.hits.filter((path) => path.startsWith("/docs/p/"));
    expect(pagesFetched.length).toBeLessThanOrEqual(40);
    expect(outcome.definition.actions.length).toBe(pagesFetched.length);
    expect(outcome.warnings.find((warning) => warning.code === "crawl_limit")?.message).toMatch(/maxPages limit \(40\) after 40 pages/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("never fetches what robots.txt disallows, and stays on the site under the docs folder", async () => {
    const link = (href: string) => `<a href="${href}">${href}</a>`;
    const site = await serveSite({
      "/robots.txt": "User-agent: *\nDisallow: /docs/private/\nCrawl-delay: 0\n\nUser-agent: other-bot\nDisallow: /\n",
      "/docs/": `<html><body><h1>API</h1><p>GET https://api.example.com/a</p>${link("/docs/private/secret.html")}${link("/docs/b.html")}${link("/blog/post.html")}${link("https://other.example.org/docs/x.html")}${link("mailto:x@example.com")}</body></html>`,
      "/docs/b.html": `<html><body><p>POST https://api.example.com/b</p>${link("/docs/private/other.html")}${link("/docs/#section")}</body></html>`,
      "/docs/private/secret.html": "<p>GET https://api.example.com/secret</p>",
      "/blog/post.html": "<p>GET https://api.example.com/blog</p>",
    });
    const outcome = imported(await crawl(`${site.url}/docs/`));
    expect(site.hits.filter((path) => path.startsWith("/docs/private/"))).toEqual([]);
    expect(site.hits).not.toContain("/blog/post.html");
    expect(outcome.definition.actions.map((action) => `${action.method} ${action.path}`).sort()).toEqual(["GET /a", "POST /b"]);
    expect(outcome.warnings.find((warning) => warning.code === "crawl_robots")?.message).toMatch(/2 linked pages were not read: robots.txt disallows them/);
  });

  it("reads pages that only the sitemap lists", async () => {
    let origin = "";
    const site = await serveSite((path) =>
      ({
        "/sitemap.xml": `<?xml version="1.0"?><urlset><url><loc>${origin}/docs/hidden.html</loc></url><url><loc>${origin}/elsewhere/x.html</loc></url></urlset>`,
        "/docs/": "<html><body><p>GET https://api.example.com/a</p></body></html>",
        "/docs/hidden.html": "<html><body><p>DELETE https://api.example.com/c/{id}</p></body></html>",
        "/elsewhere/x.html": "<p>GET https://api.example.com/x</p>",
      })[path],
    );
    origin = site.url;
    const outcome = imported(await crawl(`${site.url}/docs/`));
    expect(outcome.definition.actions.map((action) => `${action.method} ${action.path}`).sort()).toEqual(["DELETE /c/{id}", "GET /a"]);
    expect(site.hits).toContain("/docs/hidden.html");
    expect(site.hits).not.toContain("/elsewhere/x.html");
  });

  it("reads only pages that --include matches and none that --exclude matches", async () => {
    const links = ["/docs/v2/a.html", "/docs/v2/changelog.html", "/docs/v1/a.html"].map((href) => `<a href="${href}">x</a>`).join("");
    const site = await serveSite({
      "/docs/": `<html><body><p>GET https://api.example.com/root</p>${links}</body></html>`,
      "/docs/v2/a.html": "<p>GET https://api.example.com/v2a</p>",
      "/docs/v2/changelog.html": "<p>GET https://api.example.com/changelog</p>",
      "/docs/v1/a.html": "<p>GET https://api.example.com/v1a</p>",
    });
    const outcome = imported(await crawl(`${site.url}/docs/`, { include: ["/docs/v2/"], exclude: ["*changelog*"] }));
    expect(outcome.definition.actions.map((action) => action.path).sort()).toEqual(["/root", "/v2a"]);
    expect(site.hits).not.toContain("/docs/v1/a.html");
    expect(site.hits).not.toContain("/docs/v2/changelog.html");
  });

  it("spaces its requests to the docs host, keeps at most `concurrency` in flight, and reports pages and endpoints as it goes", async () => {
    const starts: number[] = [];
    let inFlight = 0;
    let most = 0;
    const pages = Array.from({ length: 8 }, (_, index) => `/docs/p${index}.html`);
    const slow = createServer((request, response) => {
      const path = (request.url ?? "/").split("?")[0]!;
      if (!path.startsWith("/docs/")) return void response.writeHead(404).end();
      starts.push(Date.now());
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        const links = path === "/docs/" ? pages.map((href) => `<a href="${href}">x</a>`).join("") : "";
        response.writeHead(200, { "content-type": "text/html" }).end(`<html><body><p>GET https://api.example.com/${path.replace(/\W/g, "_")}</p>${links}</body></html>`);
      }, 120);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => slow.close(() => resolve())));
    const progress: string[] = [];
    const outcome = imported(
      await importDocument(
        { kind: "url", url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/docs/` },
        { allowPrivateNetwork: true, crawl: { delayMs: 40, concurrency: 3 }, onProgress: (event) => void (event.stage === "crawling" && progress.push(event.message ?? "")) },
      ),
    );
    expect(outcome.definition.actions).toHaveLength(9);
    expect(most).toBeLessThanOrEqual(3);
    // The 8 linked pages start 40 ms apart (connection jitter moves single starts, not the rate).
    const linked = starts.slice(1);
    expect(linked.at(-1)! - linked[0]!).toBeGreaterThanOrEqual(7 * 40 - 10);
    expect(progress.at(-1)).toBe("9 pages, 9 endpoints");
  });

  it("sends --header to every page of the docs origin (docs behind a login), and to no other host", async () => {
    const guarded = createServer((request, response) => {
      const path = (request.url ?? "/").split("?")[0]!;
      if (request.headers["authorization"] !== "Bearer docs-token") return void response.writeHead(401).end("log in");
      const pages: Record<string, string> = {
        "/docs/": '<html><body><p>GET https://api.example.com/a</p><a href="/docs/b.html">b</a></body></html>',
        "/docs/b.html": "<html><body><p>POST https://api.example.com/b</p></body></html>",
      };
      if (pages[path] === undefined) return void response.writeHead(404).end();
      response.writeHead(200, { "content-type": "text/html" }).end(pages[path]);
    });
    await new Promise<void>((resolve) => guarded.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => guarded.close(() => resolve())));
    const url = `http://127.0.0.1:${(guarded.address() as AddressInfo).port}/docs/`;
    const outcome = imported(await importDocument({ kind: "url", url, headers: { Authorization: "Bearer docs-token" } }, { allowPrivateNetwork: true, crawl: { delayMs: 0 } }));
    expect(outcome.definition.actions.map((action) => `${action.method} ${action.path}`).sort()).toEqual(["GET /a", "POST /b"]);
  });

  it("refuses a link to a private address when private networks are not allowed (the SSRF guard on every fetch)", async () => {
    const outcome = await importDocument(
      { kind: "content", content: `<html><body><p>GET https://api.example.com/a</p><a href="/docs/b.html">b</a></body></html>`, filename: "index.html" },
      { baseUrl: "http://127.0.0.1:9/docs/", crawl: { delayMs: 0 } },
    );
    // The page itself came as content; robots.txt and the linked page are on a loopback address: refused, not fetched.
    expect(imported(outcome).warnings.find((warning) => warning.code === "robots_unavailable")?.message).toMatch(/127\.0\.0\.1, a loopback\/private\/link-local address/);
  });
});
