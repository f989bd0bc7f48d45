import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Store } from "./store.js";

const mode = (file: string) => statSync(file).mode & 0o777;

/** The database holds sealed credentials and key hashes: only its owner may read it, wherever it lives. */
describe.skipIf(process.platform === "win32")("the SQLite file's permissions", () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "waygate-perm-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const openAndWrite = async (dir: string) => {
    const store = await Store.open({ kind: "sqlite", file: path.join(dir, "waygate.db") });
    await store.tenants.create("Acme");
    return store;
  };
  const expectOwnerOnly = (dir: string) => {
    for (const name of ["waygate.db", "waygate.db-wal", "waygate.db-shm"]) {
      const file = path.join(dir, name);
      if (name === "waygate.db") expect(existsSync(file)).toBe(true);
      if (existsSync(file)) expect(mode(file), name).toBe(0o600);
    }
  };

  it("is 0600 (with its -wal and -shm) in a folder it creates", async () => {
    const dir = path.join(root, "fresh");
    const store = await openAndWrite(dir);
    expect(mode(dir)).toBe(0o700);
    expectOwnerOnly(dir);
    await store.close();
  });

  it("is 0600 (with its -wal and -shm) in a folder that already existed, readable by others", async () => {
    const dir = path.join(root, "shared");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const store = await openAndWrite(dir);
    expectOwnerOnly(dir);
    expect(existsSync(path.join(dir, "waygate.db-wal"))).toBe(true);
    await store.close();
  });

  it("tightens a database file (and its -wal, -shm) that an older version left readable by others", async () => {
    const dir = path.join(root, "old");
    mkdirSync(dir, { mode: 0o755 });
    await (await openAndWrite(dir)).close();
    for (const name of ["waygate.db", "waygate.db-wal", "waygate.db-shm"]) {
      const file = path.join(dir, name);
      if (existsSync(file)) chmodSync(file, 0o644);
    }
    const store = await openAndWrite(dir);
    expectOwnerOnly(dir);
    await store.close();
  });
});
