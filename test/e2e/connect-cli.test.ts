import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, isolatedEnv, runCli } from "../support/cli.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { oauthIntegration, startFakeProvider, type FakeProvider } from "../support/oauth-provider.js";
import { CookieBrowser, hiddenField, saveIntegration } from "../support/connect.js";

/** `waygate connect` and `waygate apps oauth-clients`, the built CLI against a real server and a real (fake) OAuth provider. */
describe("waygate connect and apps oauth-clients (built CLI)", () => {
  let server: TestServer;
  let provider: FakeProvider;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    provider = await startFakeProvider("standard");
    server = await startTestServer();
    await saveIntegration(server.store, server.tenantId, oauthIntegration("acme-oauth", provider));
    const app = await server.store.apps.create(server.tenantId, "web");
    if (app === "name-taken") throw new Error("unexpected");
    env = isolatedEnv({ WAYGATE_API_URL: server.url, WAYGATE_API_KEY: server.tenantKey });
  });
  afterAll(async () => {
    await server?.close();
    await provider?.close();
  });

  it("sets an OAuth client with the secret from stdin, lists it without the secret, and deletes it (also at the tenant level)", async () => {
    const set = await runCli(["apps", "oauth-clients", "set", "web", "acme-oauth", "--client-id", provider.clientId, "--client-secret", "-", "--scopes", "read,write"], { env, stdin: `${provider.clientSecret}\n` });
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("its secret is stored encrypted");
    const list = await runCli(["apps", "oauth-clients", "list", "web", "--json"], { env });
    expect(JSON.parse(list.stdout)).toMatchObject({ data: [{ integration: "acme-oauth", clientId: provider.clientId, hasSecret: true, scopes: ["read", "write"], authorizeUrl: null }] });
    expect(list.stdout).not.toContain(provider.clientSecret);

    const tenant = await runCli(["apps", "oauth-clients", "set", "@tenant", "acme-oauth", "--client-id", "tenant-default"], { env });
    expect(tenant.code).toBe(0);
    expect(tenant.stdout).toContain("public client");
    expect((await runCli(["apps", "oauth-clients", "list", "@tenant"], { env })).stdout).toContain("tenant-default");
    expect((await runCli(["apps", "oauth-clients", "delete", "@tenant", "acme-oauth"], { env })).code).toBe(0);
    const gone = await runCli(["apps", "oauth-clients", "delete", "@tenant", "acme-oauth"], { env });
    expect(gone.code).toBe(3);

    const noFlow = await runCli(["apps", "oauth-clients", "set", "web", "no-such", "--client-id", "x"], { env });
    expect(noFlow.code).toBe(3);
  });

  /** Runs `waygate connect …` and resolves once it printed the link (on stdout; on stderr with --json). */
  const spawnConnect = async (args: string[]) => {
    const child = spawn(process.execPath, [BIN, "connect", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const link = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no link printed\n${stderr}`)), 15_000);
      const look = () => {
        const found = /^(http\S+)$/m.exec(stdout + "\n" + stderr)?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout.on("data", (chunk) => ((stdout += chunk), look()));
      child.stderr.on("data", (chunk) => ((stderr += chunk), look()));
    });
    return { link, exited, output: () => ({ stdout, stderr }) };
  };

  /** The end user: opens the link, continues to the provider, approves or denies; answers the final page. */
  const endUser = async (link: string, decision: "approve" | "deny") => {
    const browser = new CookieBrowser();
    const html = await (await browser.follow(link)).response.text();
    const started = await browser.request(`${server.url}/connect/authorize`, { form: { csrf: hiddenField(html, "csrf"), integration: "acme-oauth" } });
    const consent = await (await browser.request(started.headers.get("location")!)).text();
    const form: Record<string, string> = { decision };
    for (const name of ["redirect_uri", "state", "code_challenge", "scope"]) form[name] = hiddenField(consent, name).replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
    const back = await browser.request(`${provider.url}/authorize/decision`, { form });
    return (await browser.follow(back.headers.get("location")!)).response.text();
  };

  it("prints the link, waits while the end user goes through the page and the provider, and ends with the connection", async () => {
    expect((await runCli(["apps", "oauth-clients", "set", "web", "acme-oauth", "--client-id", provider.clientId, "--client-secret", "-", "--scopes", "read"], { env, stdin: provider.clientSecret })).code).toBe(0);
    const run = await spawnConnect(["acme-oauth", "--user", "cli-user", "--app", "web"]);
    expect(run.link).toMatch(new RegExp(`^${server.url}/connect\\?token=wgcs_`));
    expect(await endUser(run.link, "approve")).toContain("Connected");
    expect(await run.exited).toBe(0);
    expect(run.output().stdout).toMatch(/Connected: con_\S+ \(web, user cli-user\)/);
    expect(run.output().stderr).toContain("Waiting for cli-user to connect acme-oauth");

    const list = await runCli(["connections", "list", "--app", "web"], { env });
    expect(list.stdout).toMatch(/acme-oauth\s+web\s+cli-user\s+oauth2\s+active/);
  });

  it("exits 1 and says why when the end user declines; with --json stdout holds only the problem", async () => {
    const run = await spawnConnect(["acme-oauth", "--user", "declines", "--app", "web", "--json"]);
    expect(await endUser(run.link, "deny")).toContain("You declined");
    expect(await run.exited).toBe(1);
    const { stdout, stderr } = run.output();
    expect(stdout).not.toContain("wgcs_");
    expect(stdout + stderr).toContain("access_denied");
  });
});
