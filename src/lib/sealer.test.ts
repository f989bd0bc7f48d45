import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SealError, Sealer } from "./sealer.js";

describe("Sealer (AES-256-GCM)", () => {
  const key = randomBytes(32);

  it("round-trips and never repeats a ciphertext for the same plaintext", () => {
    const sealer = new Sealer(key);
    const a = sealer.seal("secret", "con_1");
    const b = sealer.seal("secret", "con_1");
    expect(a).not.toBe(b);
    expect(a).not.toContain("secret");
    expect(sealer.open(a, "con_1")).toBe("secret");
  });

  it("refuses a ciphertext moved to another row (associated data)", () => {
    const sealer = new Sealer(key);
    expect(() => sealer.open(sealer.seal("secret", "con_1"), "con_2")).toThrow(SealError);
  });

  it("detects tampering and malformed input", () => {
    const sealer = new Sealer(key);
    const sealed = sealer.seal("secret", "con_1");
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[4]!, "base64url");
    flipped[0]! ^= 1;
    parts[4] = flipped.toString("base64url");
    expect(() => sealer.open(parts.join("."), "con_1")).toThrow(expect.objectContaining({ reason: "corrupt" }));
    expect(() => sealer.open("garbage", "con_1")).toThrow(expect.objectContaining({ reason: "malformed" }));
  });

  it("rotates: a new key seals, previous keys still open, stale secrets are recognised", () => {
    const old = new Sealer(key);
    const sealed = old.seal("secret", "con_1");
    const next = new Sealer(randomBytes(32), [key]);
    expect(next.open(sealed, "con_1")).toBe("secret");
    expect(next.isStale(sealed)).toBe(true);
    expect(next.isStale(next.seal("secret", "con_1"))).toBe(false);
    expect(() => new Sealer(randomBytes(32)).open(sealed, "con_1")).toThrow(expect.objectContaining({ reason: "unknown-key" }));
  });

  it("refuses keys that are not 32 bytes", () => {
    expect(() => new Sealer(randomBytes(16))).toThrow("32 bytes");
  });
});
