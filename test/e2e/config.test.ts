import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isolatedEnv, runCli, startServerProcess } from "../support/cli.js";

interface Entry {
  setting: string;
  env: string;
  value: unknown;
  source: string;
}

describe("server configuration from the environment", () => {
  it("stops start-up with exit 2 and a message naming every wrong variable, without echoing secrets", async () => {
    const secretish = "not-a-32-byte-key-SECRET";
    const env = isolatedEnv({ WAYGATE_PORT: "eighty", WAYGATE_ENCRYPTION_KEY: secretish, WAYGATE_UPSTREAMS: "everywhere", WAYGATE_MIGRATE: "perhaps" });
    const start = await runCli(["server", "start"], { env });
    expect(start.code).toBe(2);
    expect(start.stderr).toContain('WAYGATE_PORT: must be a port number from 0 to 65535 (got "eighty")');
    expect(start.stderr).toContain("WAYGATE_ENCRYPTION_KEY: must be 32 bytes in base64");
    expect(start.stderr).toContain('WAYGATE_UPSTREAMS: must be public, loopback or private (got "everywhere")');
    expect(start.stderr).toContain("WAYGATE_MIGRATE: must be true or false");
    expect(start.stderr).not.toContain(secretish);
  });

  it("`server config` prints the effective configuration: flags over environment over defaults, secrets hidden", async () => {
    const key = randomBytes(32).toString("base64");
    const env = isolatedEnv({
      WAYGATE_DATABASE_URL: "postgres://waygate:db-PASSWORD@db.internal:5432/waygate?schema=prod",
      WAYGATE_ENCRYPTION_KEY: key,
      WAYGATE_LLM_API_KEY: "sk-LLM-SECRET",
      WAYGATE_PORT: "5000",
      WAYGATE_WORKER_CONCURRENCY: "4",
    });
    const result = await runCli(["server", "config", "--json", "--port", "6000", "--no-migrate"], { env });
    expect(result.code, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout) as Entry[];
    const byEnv = Object.fromEntries(entries.map((entry) => [entry.env, entry]));
    expect(byEnv.WAYGATE_PORT).toMatchObject({ value: 6000, source: "flag" });
    expect(byEnv.WAYGATE_WORKER_CONCURRENCY).toMatchObject({ value: 4, source: "env" });
    expect(byEnv.WAYGATE_MIGRATE).toMatchObject({ value: false, source: "flag" });
    expect(byEnv.WAYGATE_LOG_LEVEL).toMatchObject({ value: "info", source: "default" });
    expect(byEnv.WAYGATE_DATABASE_URL).toMatchObject({ value: "postgres://waygate:***@db.internal:5432/waygate?schema=prod", source: "env" });
    expect(byEnv.WAYGATE_ENCRYPTION_KEY).toMatchObject({ value: "(set, hidden)", source: "env" });
    expect(byEnv.WAYGATE_PUBLIC_URL).toMatchObject({ value: null, source: "unset" });
    expect(byEnv.WAYGATE_DATA_DIR).toMatchObject({ value: env.WAYGATE_DATA_DIR, source: "env" });
    for (const secret of [key, "db-PASSWORD", "sk-LLM-SECRET"]) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it("`server config` shows where the data directory is when nothing sets it", async () => {
    const env = isolatedEnv();
    delete env.WAYGATE_DATA_DIR;
    delete env.XDG_DATA_HOME;
    const result = await runCli(["server", "config", "--json"], { env });
    const dataDir = (JSON.parse(result.stdout) as Entry[]).find((entry) => entry.env === "WAYGATE_DATA_DIR");
    expect(dataDir).toMatchObject({ value: `${env.HOME}/.local/share/waygate`, source: "default" });
  });

  it("starts from the environment alone (port, host, log level)", async () => {
    const env = isolatedEnv({ WAYGATE_PORT: "0", WAYGATE_HOST: "127.0.0.1", WAYGATE_LOG_LEVEL: "warn", WAYGATE_LOG_FORMAT: "json" });
    // startServerProcess passes --port 0 too; the log level and format only come from the environment.
    const server = await startServerProcess([], env);
    expect((await fetch(`${server.url}/v1/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/me`)).status).toBe(401);
    expect(await server.stop()).toBe(0);
    // At warn, neither request is logged (a 401 is info); only the URL line is on stdout.
    expect(server.stdout().trim()).toBe(server.url);
  }, 30_000);
});
