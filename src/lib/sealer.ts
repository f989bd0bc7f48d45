import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";

/**
 * Authenticated encryption of secrets at rest: AES-256-GCM (NIST SP 800-38D) with a
 * random 96-bit IV per message. The additional authenticated data binds a ciphertext to
 * the row it belongs to, so a ciphertext copied into another row does not decrypt.
 *
 * Format: `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id (a hash
 * prefix of the key) says which key of the ring sealed it, which is what lets keys
 * rotate: new secrets use the current key, old ones still open with the previous keys
 * until they are re-sealed.
 */
export class Sealer {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(current: Buffer, previous: Buffer[] = []) {
    this.currentKeyId = this.add(current);
    for (const key of previous) this.add(key);
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(associatedData, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return ["v1", this.currentKeyId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
  }

  /** The plaintext, or a SealError that says why without revealing anything of the secret. */
  open(sealed: string, associatedData: string): string {
    const [version, keyId, iv, tag, ciphertext] = sealed.split(".");
    if (version !== "v1" || !keyId || !iv || !tag || ciphertext === undefined) throw new SealError("malformed", "the stored secret is not in a format this server reads");
    const key = this.keys.get(keyId);
    if (!key) throw new SealError("unknown-key", `the stored secret was sealed with key ${keyId}, which this server does not have`);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(associatedData, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SealError("corrupt", "the stored secret failed its integrity check (corrupted or tampered with)");
    }
  }

  /** A key for another purpose (e.g. signing page tokens), derived from the current key (HKDF-like HMAC, RFC 5869 expand step). */
  derive(label: string): Buffer {
    return createHmac("sha256", this.keys.get(this.currentKeyId)!).update(`waygate:${label}`).digest();
  }

  /** True when `sealed` was sealed with an older key and should be re-sealed. */
  isStale(sealed: string): boolean {
    return sealed.split(".")[1] !== this.currentKeyId;
  }

  private add(key: Buffer): string {
    if (key.length !== 32) throw new Error("an encryption key must be 32 bytes (AES-256)");
    const id = createHash("sha256").update(key).digest("base64url").slice(0, 8);
    this.keys.set(id, key);
    return id;
  }
}

export class SealError extends Error {
  override name = "SealError";
  constructor(
    readonly reason: "malformed" | "unknown-key" | "corrupt",
    message: string,
  ) {
    super(message);
  }
}
