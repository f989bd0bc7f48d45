import { readFile, rename } from "node:fs/promises";
import path from "node:path";
import { generateKey, KEY_FILE, PREVIOUS_KEYS_FILE } from "../../../store/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../fs-atomic.js";
import type { IO } from "../../io.js";
import { dataDir, withStore, type DatabaseFlags } from "./database.js";

export interface RotateResult {
  resealed: number;
  keyFile: string | null;
}

/**
 * Rotates the key that seals connection secrets, without downtime: the new key seals from
 * now on, the old one moves to the previous-keys list (so every server still opens old
 * secrets, and servers reload the ring when they meet a newer key), and every secret is
 * re-sealed under the new key. With WAYGATE_ENCRYPTION_KEY the operator rotates the
 * variables; this command then only re-seals.
 */
export async function run(context: Context, options: DatabaseFlags): Promise<RotateResult> {
  let keyFile: string | null = null;
  if (!context.env.WAYGATE_ENCRYPTION_KEY) {
    const dir = dataDir(context, options);
    keyFile = path.join(dir, KEY_FILE);
    const current = await readFile(keyFile, "utf8").catch(() => {
      throw new UsageError(`no key file at ${keyFile}; nothing to rotate (run \`waygate server init\` first)`);
    });
    const previousFile = path.join(dir, PREVIOUS_KEYS_FILE);
    const previous = await readFile(previousFile, "utf8").catch(() => "");
    await writeFileAtomic(previousFile, previous + current.trim() + "\n", 0o600);
    const fresh = `${keyFile}.new`;
    await writeFileAtomic(fresh, generateKey() + "\n", 0o600);
    await rename(fresh, keyFile);
  }
  const resealed = await withStore(context, options, (store) => store.connections.reseal());
  return { resealed, keyFile };
}

export function render(result: RotateResult, io: IO): void {
  if (result.keyFile) io.out(`New encryption key in ${result.keyFile}; the old one stays readable for existing servers.`);
  io.out(`Re-sealed ${result.resealed} connection secret(s) under the current key.`);
}
