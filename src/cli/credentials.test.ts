import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createCredentialStore } from "./credentials.js";

describe("credential file fallback", () => {
  const setup = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-cred-"));
    return { dir, store: createCredentialStore({ configDir: dir, env: { WAYGATE_CREDENTIAL_STORE: "file" } }) };
  };

  it("stores keys per profile in a 0600 file and reads them back", async () => {
    const { dir, store } = setup();
    expect(await store.set("default", "wg_tenant_a")).toEqual({ kind: "file", file: path.join(dir, "credentials.json") });
    await store.set("staging", "wg_tenant_b");
    expect(statSync(path.join(dir, "credentials.json")).mode & 0o777).toBe(0o600);
    expect(await store.get("default")).toMatchObject({ apiKey: "wg_tenant_a" });
    expect(await store.get("staging")).toMatchObject({ apiKey: "wg_tenant_b" });
    expect(await store.get("prod")).toBeUndefined();
  });

  it("leaves no temp files behind and removes the file with the last key", async () => {
    const { dir, store } = setup();
    await store.set("default", "wg_tenant_a");
    await store.set("default", "wg_tenant_c");
    expect(readdirSync(dir)).toEqual(["credentials.json"]);
    expect(JSON.parse(readFileSync(path.join(dir, "credentials.json"), "utf8"))).toEqual({ profiles: { default: { apiKey: "wg_tenant_c" } } });
    expect(await store.delete("default")).toBe(true);
    expect(await store.delete("default")).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("uses the file on Linux when there is no session bus for a Secret Service", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-cred-"));
    const store = createCredentialStore({ configDir: dir, env: {} });
    const location = await store.set("default", "wg_tenant_a");
    if (process.platform === "linux") expect(location).toEqual({ kind: "file", file: path.join(dir, "credentials.json") });
    expect(await store.get("default")).toMatchObject({ apiKey: "wg_tenant_a" });
  });
});
