import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "./fs-atomic.js";

/** Where a stored key lives, for `whoami` and `login` to say. */
export type CredentialLocation = { kind: "keychain"; service: string } | { kind: "file"; file: string };

export interface CredentialStore {
  get(profile: string): Promise<{ apiKey: string; location: CredentialLocation } | undefined>;
  set(profile: string, apiKey: string): Promise<CredentialLocation>;
  /** True when something was removed. */
  delete(profile: string): Promise<boolean>;
}

const SERVICE = "waygate";

interface KeyringEntry {
  getPassword(): string | null | undefined;
  setPassword(password: string): void;
  deletePassword(): boolean;
}

/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux)
 * through @napi-rs/keyring, falling back to a 0600 JSON file where there is none
 * (headless Linux, containers, CI). `WAYGATE_CREDENTIAL_STORE=file` skips the keychain.
 */
export function createCredentialStore(options: { configDir: string; env: NodeJS.ProcessEnv }): CredentialStore {
  const file = path.join(options.configDir, "credentials.json");
  const fileLocation: CredentialLocation = { kind: "file", file };
  const keychainLocation: CredentialLocation = { kind: "keychain", service: SERVICE };
  // The Secret Service lives on the D-Bus session bus: without one (SSH sessions,
  // containers, CI) a Linux keychain cannot work, and probing it gives erratic answers.
  const useKeychain =
    options.env.WAYGATE_CREDENTIAL_STORE !== "file" &&
    (process.platform !== "linux" || Boolean(options.env.DBUS_SESSION_BUS_ADDRESS));

  const entry = async (profile: string): Promise<KeyringEntry | undefined> => {
    if (!useKeychain) return undefined;
    try {
      const { Entry } = await import("@napi-rs/keyring");
      // On Linux only the Secret Service persists; kernel keyutils loses keys with the
      // session and, in containers, refuses access between processes.
      return new Entry(SERVICE, profile, { linux: { store: "secret-service" } });
    } catch {
      return undefined; // no prebuilt binary for this platform
    }
  };

  const readFileStore = async (): Promise<Record<string, { apiKey: string }>> => {
    try {
      const parsed = JSON.parse(await readFile(file, "utf8")) as { profiles?: Record<string, { apiKey: string }> };
      return parsed.profiles ?? {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
  };
  const writeFileStore = async (profiles: Record<string, { apiKey: string }>): Promise<void> => {
    if (Object.keys(profiles).length === 0) await rm(file, { force: true });
    else await writeFileAtomic(file, JSON.stringify({ profiles }, null, 2) + "\n", 0o600);
  };

  return {
    async get(profile) {
      try {
        const secret = (await entry(profile))?.getPassword();
        if (secret) return { apiKey: secret, location: keychainLocation };
      } catch {
        // keychain locked or unavailable: the file may still hold the key
      }
      const stored = (await readFileStore())[profile];
      return stored ? { apiKey: stored.apiKey, location: fileLocation } : undefined;
    },
    async set(profile, apiKey) {
      try {
        const keychain = await entry(profile);
        if (keychain) {
          keychain.setPassword(apiKey);
          if ((await entry(profile))?.getPassword() !== apiKey) throw new Error("keychain did not keep the key");
          // A key kept in the keychain must not linger in the file from an earlier login.
          const profiles = await readFileStore();
          if (profiles[profile]) {
            delete profiles[profile];
            await writeFileStore(profiles);
          }
          return keychainLocation;
        }
      } catch {
        // no usable keychain (e.g. no Secret Service on a headless machine): use the file
      }
      const profiles = await readFileStore();
      profiles[profile] = { apiKey };
      await writeFileStore(profiles);
      return fileLocation;
    },
    async delete(profile) {
      let removed = false;
      try {
        removed = (await entry(profile))?.deletePassword() === true;
      } catch {
        // nothing in the keychain
      }
      const profiles = await readFileStore();
      if (profiles[profile]) {
        delete profiles[profile];
        await writeFileStore(profiles);
        removed = true;
      }
      return removed;
    },
  };
}

export function describeLocation(location: CredentialLocation): string {
  return location.kind === "keychain" ? `the OS keychain (service "${location.service}")` : location.file;
}
