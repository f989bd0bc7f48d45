import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createContext, type GlobalOptions } from "./context.js";
import { createBufferIO } from "./io.js";

const globals: GlobalOptions = { json: false, debug: false, color: false, yes: false };

async function contextWith(options: { env?: NodeJS.ProcessEnv; globals?: Partial<GlobalOptions>; profileUrl?: string; storedKey?: string; profile?: string }) {
  const dir = mkdtempSync(path.join(tmpdir(), "waygate-ctx-"));
  const env = { WAYGATE_CONFIG_DIR: dir, WAYGATE_CREDENTIAL_STORE: "file", ...options.env };
  const seed = createContext({ io: createBufferIO(), env, globals });
  const profile = options.profile ?? "default";
  if (options.profileUrl) await seed.config.update((config) => void (config.profiles[profile] = { apiUrl: options.profileUrl }));
  if (options.storedKey) await seed.credentials.set(profile, options.storedKey);
  return createContext({ io: createBufferIO(), env, globals: { ...globals, ...options.globals } });
}

describe("target resolution: flag > env > profile > stored credential", () => {
  it("uses the default URL and no key when nothing is configured", async () => {
    expect(await (await contextWith({})).target()).toMatchObject({ profile: "default", apiUrl: "http://127.0.0.1:4400", apiUrlSource: "default", apiKey: undefined });
  });

  it("takes the profile's URL and the stored key", async () => {
    const target = await (await contextWith({ profileUrl: "http://profile", storedKey: "wg_tenant_stored" })).target();
    expect(target).toMatchObject({ apiUrl: "http://profile", apiUrlSource: "profile", apiKey: "wg_tenant_stored", apiKeySource: "credential", credential: { kind: "file" } });
  });

  it("lets the environment override the profile and the stored key", async () => {
    const context = await contextWith({ profileUrl: "http://profile", storedKey: "wg_tenant_stored", env: { WAYGATE_API_URL: "http://env", WAYGATE_API_KEY: "wg_tenant_env" } });
    expect(await context.target()).toMatchObject({ apiUrl: "http://env", apiUrlSource: "env", apiKey: "wg_tenant_env", apiKeySource: "env" });
  });

  it("lets flags override everything", async () => {
    const context = await contextWith({
      profileUrl: "http://profile",
      storedKey: "wg_tenant_stored",
      env: { WAYGATE_API_URL: "http://env", WAYGATE_API_KEY: "wg_tenant_env" },
      globals: { apiUrl: "http://flag", apiKey: "wg_tenant_flag" },
    });
    expect(await context.target()).toMatchObject({ apiUrl: "http://flag", apiUrlSource: "flag", apiKey: "wg_tenant_flag", apiKeySource: "flag" });
  });

  it("selects the profile by flag, then WAYGATE_PROFILE", async () => {
    const byEnv = await contextWith({ profile: "staging", profileUrl: "http://staging", storedKey: "wg_tenant_s", env: { WAYGATE_PROFILE: "staging" } });
    expect(await byEnv.target()).toMatchObject({ profile: "staging", apiUrl: "http://staging", apiKey: "wg_tenant_s" });
    const byFlag = await contextWith({ profile: "prod", profileUrl: "http://prod", env: { WAYGATE_PROFILE: "staging" }, globals: { profile: "prod" } });
    expect(await byFlag.target()).toMatchObject({ profile: "prod", apiUrl: "http://prod" });
  });

  it("fails with exit 4 and a hint when a command needs a key and there is none", async () => {
    await expect((await contextWith({})).client()).rejects.toMatchObject({ exitCode: 4, message: expect.stringContaining("waygate login") });
  });

  it("never prompts under --yes or CI, even on a terminal", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-ctx-"));
    const tty = createBufferIO({ tty: true });
    expect(createContext({ io: tty, env: { WAYGATE_CONFIG_DIR: dir }, globals }).prompter.interactive).toBe(true);
    expect(createContext({ io: tty, env: { WAYGATE_CONFIG_DIR: dir, CI: "true" }, globals }).prompter.interactive).toBe(false);
    expect(createContext({ io: tty, env: { WAYGATE_CONFIG_DIR: dir }, globals: { ...globals, yes: true } }).prompter.interactive).toBe(false);
    expect(createContext({ io: createBufferIO({ tty: false }), env: { WAYGATE_CONFIG_DIR: dir }, globals }).prompter.interactive).toBe(false);
  });

  it("reports a corrupt config file with its path instead of crashing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-ctx-"));
    await import("node:fs/promises").then((fs) => fs.writeFile(path.join(dir, "config.json"), "{ nope"));
    const context = createContext({ io: createBufferIO(), env: { WAYGATE_CONFIG_DIR: dir }, globals });
    await expect(context.target()).rejects.toThrow(`${path.join(dir, "config.json")} is not valid JSON`);
  });
});
