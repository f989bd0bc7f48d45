import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateKey, KEY_FILE, loadSealer } from "./keyring.js";

describe("encryption key ring", () => {
  it("creates a 0600 key file in the data dir once and reads the same key back", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-keys-"));
    const first = await loadSealer({ env: {}, dataDir: dir });
    expect(statSync(path.join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = await loadSealer({ env: {}, dataDir: dir });
    expect(second.open(first.seal("x", "id"), "id")).toBe("x");
  });

  it("prefers WAYGATE_ENCRYPTION_KEY and opens secrets of WAYGATE_ENCRYPTION_PREVIOUS_KEYS", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "waygate-keys-"));
    const [oldKey, newKey] = [generateKey(), generateKey()];
    const old = await loadSealer({ env: { WAYGATE_ENCRYPTION_KEY: oldKey }, dataDir: dir });
    const sealed = old.seal("x", "id");
    const rotated = await loadSealer({ env: { WAYGATE_ENCRYPTION_KEY: newKey, WAYGATE_ENCRYPTION_PREVIOUS_KEYS: oldKey }, dataDir: dir });
    expect(rotated.open(sealed, "id")).toBe("x");
    expect(rotated.isStale(sealed)).toBe(true);
    expect(() => statSync(path.join(dir, KEY_FILE))).toThrow();
  });

  it("explains a malformed key", async () => {
    await expect(loadSealer({ env: { WAYGATE_ENCRYPTION_KEY: "c2hvcnQ=" }, dataDir: "/nonexistent" })).rejects.toThrow(/WAYGATE_ENCRYPTION_KEY must be 32 random bytes in base64/);
  });
});
