import { randomBytes } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import path from "node:path";
import { Sealer } from "../lib/sealer.js";

export const KEY_FILE = "encryption.key";
export const PREVIOUS_KEYS_FILE = "encryption.previous-keys";

export interface KeySource {
  env: NodeJS.ProcessEnv;
  /** Where the embedded server keeps its key file. */
  dataDir: string;
}

/**
 * The key ring for secrets at rest. WAYGATE_ENCRYPTION_KEY (base64, 32 bytes) wins, with
 * WAYGATE_ENCRYPTION_PREVIOUS_KEYS (comma-separated) still able to open older secrets;
 * otherwise `encryption.key` in the data dir, created with mode 0600 on first use.
 */
export async function loadSealer(source: KeySource, options: { create: boolean } = { create: true }): Promise<Sealer> {
  const fromEnv = source.env.WAYGATE_ENCRYPTION_KEY;
  if (fromEnv) {
    const previous = (source.env.WAYGATE_ENCRYPTION_PREVIOUS_KEYS ?? "").split(",").filter(Boolean);
    return new Sealer(decodeKey(fromEnv, "WAYGATE_ENCRYPTION_KEY"), previous.map((key, i) => decodeKey(key, `WAYGATE_ENCRYPTION_PREVIOUS_KEYS[${i}]`)));
  }
  const file = path.join(source.dataDir, KEY_FILE);
  let current = await readKeyFile(file);
  if (!current) {
    if (!options.create) throw new Error(`no encryption key: set WAYGATE_ENCRYPTION_KEY or create ${file} with \`waygate server init\``);
    current = await createKeyFile(file);
  }
  const previous = await readFile(path.join(source.dataDir, PREVIOUS_KEYS_FILE), "utf8").catch(() => "");
  return new Sealer(current, previous.split("\n").filter(Boolean).map((key, i) => decodeKey(key, `${PREVIOUS_KEYS_FILE} line ${i + 1}`)));
}

export function generateKey(): string {
  return randomBytes(32).toString("base64");
}

export function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), text.includes("-") || text.includes("_") ? "base64url" : "base64");
  if (key.length !== 32) throw new Error(`${where} must be 32 random bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes`);
  return key;
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  try {
    return decodeKey(await readFile(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Created with O_EXCL and mode 0600: two servers starting at once cannot both write a key. */
async function createKeyFile(file: string): Promise<Buffer> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(file, "wx", 0o600);
    try {
      await handle.writeFile(generateKey() + "\n", "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return (await readKeyFile(file))!;
}
