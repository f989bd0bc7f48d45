import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";
import { oauthIntegration, startFakeProvider, type FakeProvider } from "../support/oauth-provider.js";
import { saveIntegration } from "../support/connect.js";

/** Debian's Chromium; `.ci/run` installs it. The machine has no internet: everything that would reach out is off. */
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/**
 * The end user's whole trip in a real browser: the connect link → the hosted page → consent
 * at the provider → back at the app's success URL; then an invoke with the new connection
 * reaches the API with the new token. Also the API-key form. JavaScript is off throughout.
 * Screenshots of the page at phone and desktop widths go to a temp directory printed below.
 */
describe("the hosted connect page in Chromium", () => {
  let server: TestServer;
  let provider: FakeProvider;
  let appSite: Server;
  let appUrl = "";
  let appKey = "";
  const apiKeysSeen: string[] = [];
  let profileDir = "";
  let context: BrowserContext;
  const screenshots = mkdtempSync(path.join(tmpdir(), "waygate-connect-screenshots-"));
  const cspViolations: string[] = [];

  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(server.url + route, {
      method,
      headers: { authorization: `Bearer ${appKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    provider = await startFakeProvider("standard");
    server = await startTestServer();
    // The app's own site: where the browser lands after connecting, and an API that takes a key.
    appSite = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://app.test");
      if (url.pathname === "/api/me") {
        apiKeysSeen.push(String(req.headers["x-api-key"]));
        res.writeHead(req.headers["x-api-key"] === "typed-in-browser-42" ? 200 : 401, { "content-type": "application/json" });
        return res.end(JSON.stringify({ login: "keyed" }));
      }
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><title>App</title><h1 id="result">${url.pathname === "/done" ? "App: connected" : "App: failed"}</h1>`);
    });
    await new Promise<void>((resolve) => appSite.listen(0, "127.0.0.1", resolve));
    appUrl = `http://127.0.0.1:${(appSite.address() as AddressInfo).port}`;

    await saveIntegration(server.store, server.tenantId, oauthIntegration("acme-oauth", provider));
    await saveIntegration(server.store, server.tenantId, {
      slug: "keyed",
      name: "Keyed API",
      baseUrl: `${appUrl}/api`,
      authSchemes: [{ type: "apiKey", name: "x-api-key", in: "header" }],
      actions: [{ name: "me.get", method: "GET", path: "/me" }],
    });
    const app = await server.store.apps.create(server.tenantId, "web");
    if (app === "name-taken") throw new Error("unexpected");
    appKey = (await server.store.keys.issue({ tenantId: server.tenantId, kind: "app", appId: app.id })).secret;
    const admin = { authorization: `Bearer ${server.tenantKey}`, "content-type": "application/json" };
    const set = await fetch(`${server.url}/v1/apps/web/oauth-clients/acme-oauth`, { method: "PUT", headers: admin, body: JSON.stringify({ clientId: provider.clientId, clientSecret: provider.clientSecret, scopes: ["read", "profile"] }) });
    expect(set.status).toBe(200);
    const redirects = await fetch(`${server.url}/v1/apps/web/connect-redirect-urls`, { method: "PUT", headers: admin, body: JSON.stringify({ urls: [`${appUrl}/done`, `${appUrl}/failed`] }) });
    expect(redirects.status).toBe(200);

    profileDir = mkdtempSync(path.join(tmpdir(), "waygate-chromium-profile-"));
    // JavaScript off for the whole trip: the page must work without it (and sends none).
    context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 }, javaScriptEnabled: false });
    context.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    // eslint-disable-next-line no-console -- where a person finds the screenshots
    console.log(`connect page screenshots: ${screenshots}`);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    await server?.close();
    await provider?.close();
    await new Promise<void>((resolve) => (appSite ? appSite.close(() => resolve()) : resolve()));
  });

  it("OAuth2: link → page (token gone from the URL) → consent at the provider → the app's success URL; the invoke uses the new token", async () => {
    const session = await api("POST", "/v1/connect/sessions", { user: { id: "browser-user", displayName: "Grace Hopper", email: "grace@example.com" }, integrations: ["acme-oauth"], successUrl: `${appUrl}/done`, errorUrl: `${appUrl}/failed` });
    expect(session.status).toBe(201);
    const token = String(session.body.token);
    const page = await context.newPage();
    const response = await page.goto(String(session.body.url));
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${server.url}/connect`);
    expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await expect(page.locator("h1").textContent()).resolves.toContain("web wants to connect to Fake acme-oauth");

    await page.screenshot({ path: path.join(screenshots, "connect-desktop-1280.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(screenshots, "connect-phone-390.png"), fullPage: true });
    // Readable on a phone: nothing wider than the screen.
    expect(await page.locator("main").evaluate((main) => main.ownerDocument.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole("button", { name: "Continue to Fake acme-oauth" }).click();
    await page.waitForURL(`${provider.url}/authorize?**`);
    await page.click("#approve");
    await page.waitForURL(`${appUrl}/done?**`);
    await expect(page.locator("#result").textContent()).resolves.toBe("App: connected");
    const landed = new URL(page.url());
    const connectionId = landed.searchParams.get("connection_id");
    expect(connectionId).toMatch(/^con_/);
    expect(page.url()).not.toContain(token);
    // The cookie that carried the session is gone.
    expect((await context.cookies(server.url)).map((c) => c.name)).not.toContain("wg_connect");

    const invoked = await api("POST", "/v1/invoke/acme-oauth/me.get", { connection: "browser-user" });
    expect(invoked.status).toBe(200);
    expect(invoked.body).toEqual({ login: "octo", quirks: "standard" });
    expect(provider.apiCalls).toHaveLength(1);
    expect(provider.tokenOutcomes).toEqual(["issued"]);
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it("API key: the form posts once, the key is never echoed, and the invoke sends it", async () => {
    const session = await api("POST", "/v1/connect/sessions", { user: "key-user", integrations: ["keyed"], successUrl: `${appUrl}/done` });
    const page = await context.newPage();
    await page.goto(String(session.body.url));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(screenshots, "connect-api-key-phone-390.png"), fullPage: true });
    await page.fill("#f-key", "typed-in-browser-42");
    await page.getByRole("button", { name: "Connect Keyed API" }).click();
    await page.waitForURL(`${appUrl}/done?**`);
    expect(page.url()).not.toContain("typed-in-browser-42");
    expect(await page.content()).not.toContain("typed-in-browser-42");

    const invoked = await api("POST", "/v1/invoke/keyed/me.get", { connection: "key-user" });
    expect(invoked.status).toBe(200);
    expect(apiKeysSeen).toEqual(["typed-in-browser-42"]);
    expect(cspViolations).toEqual([]);
    await page.close();
  });
});
