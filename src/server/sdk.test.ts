import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SdkManifestSchema, type SdkManifest } from "../contract/index.js";
import { openTestStore, storeBackends } from "../../test/support/stores.js";
import type { Store } from "../store/index.js";
import { createApp } from "./app.js";

const definition = (summary: string) => ({
  slug: "crm",
  name: "CRM",
  baseUrl: "https://crm.example.com",
  actions: [{ name: "contacts.list", method: "GET", path: "/contacts", summary }],
});

describe.each(storeBackends)("SDK manifest and snippets on %s", (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let api: ReturnType<typeof createApp>;
  let tenantKey: string;
  let appKey: string;

  beforeEach(async () => {
    ({ store, dispose } = await openTestStore(backend));
    api = createApp({ store, version: "test", publicUrl: "https://waygate.example.com" });
    const tenantId = (await store.tenants.create("Acme")).id;
    tenantKey = (await store.keys.issue({ tenantId, kind: "tenant" })).secret;
    for (const summary of ["one", "two", "three"]) await call("POST", "/v1/integrations", definition(summary));
    await call("POST", "/v1/apps", { name: "web" });
    await call("PUT", "/v1/apps/web/pins/crm", { version: 1 });
    appKey = ((await call("POST", "/v1/apps/web/keys", { name: "k" })) as { secret: string }).secret;
  });
  afterEach(async () => dispose());

  async function call(method: string, path: string, body?: unknown, key?: string, headers: Record<string, string> = {}): Promise<unknown> {
    const response = await api.request(path, {
      method,
      headers: { authorization: `Bearer ${key ?? tenantKey}`, ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 400) return { status: response.status, ...JSON.parse(text) };
    return text ? JSON.parse(text) : null;
  }
  const manifest = async (query: string, key?: string, headers?: Record<string, string>) => SdkManifestSchema.parse(await call("GET", `/v1/sdk/manifest${query}`, undefined, key, headers)) as SdkManifest;
  const versions = (m: SdkManifest) => m.integrations.map((i) => `${i.slug}@${i.version}:${i.actions[0]?.summary}`);

  it("resolves the app's pins for an app key and current versions for the tenant", async () => {
    expect(versions(await manifest("", appKey))).toEqual(["crm@1:one"]);
    expect(versions(await manifest(""))).toEqual(["crm@3:three"]);
    expect(versions(await manifest("?app=web"))).toEqual(["crm@1:one"]);
    expect(versions(await manifest("", undefined, { "x-waygate-app": "web" }))).toEqual(["crm@1:one"]);
  });

  it("returns exactly the versions asked for, and fails clearly on unknown ones", async () => {
    expect(versions(await manifest("?integrations=crm@2"))).toEqual(["crm@2:two"]);
    expect(await call("GET", "/v1/sdk/manifest?integrations=crm@9")).toMatchObject({ status: 404, detail: 'version 9 of "crm" not found' });
    expect(await call("GET", "/v1/sdk/manifest?integrations=nope")).toMatchObject({ status: 404 });
    expect(await call("GET", "/v1/sdk/manifest?integrations=crm@x")).toMatchObject({ status: 400, errors: [{ field: "query.integrations" }] });
  });

  it("hashes what the generated code depends on, and nothing else", async () => {
    const a = await manifest("?integrations=crm@2");
    const b = await manifest("?integrations=crm@2");
    const c = await manifest("?integrations=crm@3");
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
    expect(a).toMatchObject({ apiUrl: "https://waygate.example.com", appId: null });
  });

  it("gives the same hash whatever URL the API was reached at (localhost or 127.0.0.1), so --check agrees with itself", async () => {
    const direct = createApp({ store, version: "test" });
    const at = async (origin: string) => {
      const response = await direct.request(`${origin}/v1/sdk/manifest?integrations=crm@2`, { headers: { authorization: `Bearer ${tenantKey}` } });
      return SdkManifestSchema.parse(await response.json());
    };
    const [localhost, loopback] = [await at("http://localhost:4400"), await at("http://127.0.0.1:4400")];
    expect([localhost.apiUrl, loopback.apiUrl]).toEqual(["http://localhost:4400", "http://127.0.0.1:4400"]);
    expect(localhost.hash).toBe(loopback.hash);
  });

  it("keeps an app key to its own app's manifest", async () => {
    await call("POST", "/v1/apps", { name: "other" });
    expect(await call("GET", "/v1/sdk/manifest?app=other", undefined, appKey)).toMatchObject({ status: 404 });
  });

  it("renders snippets at the version the caller resolves to", async () => {
    const tenant = (await call("GET", "/v1/snippets/crm/contacts.list?lang=curl")) as { version: number; snippets: Array<{ code: string }> };
    expect(tenant.version).toBe(3);
    expect(tenant.snippets[0]?.code).toContain("https://waygate.example.com/v1/invoke/crm/contacts.list");
    expect(tenant.snippets[0]?.code).toContain("'x-waygate-expected-version: 3'");
    expect(tenant.snippets[0]?.code).not.toMatch(/X-Waygate-Version:/i);
    const app = (await call("GET", "/v1/snippets/crm/contacts.list?lang=curl", undefined, appKey)) as { version: number; snippets: Array<{ code: string }> };
    expect(app.version).toBe(1);
    expect(app.snippets[0]?.code).toContain("'x-waygate-expected-version: 1'");
  });

  it("names the acting app in snippets: an app key's own, or the one a tenant key names; none for the tenant itself", async () => {
    const code = async (key?: string, headers?: Record<string, string>) =>
      ((await call("GET", "/v1/snippets/crm/contacts.list?lang=python", undefined, key, headers)) as { snippets: Array<{ code: string }> }).snippets[0]!.code;
    expect(await code(appKey)).toContain('app = os.environ.get("WAYGATE_APP") or "web"');
    expect(await code(undefined, { "x-waygate-app": "web" })).toContain('app = os.environ.get("WAYGATE_APP") or "web"');
    expect(await code()).toContain('app = os.environ.get("WAYGATE_APP")  # required with a tenant key');
  });
});
