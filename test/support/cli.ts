import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "./stores.js";

export const BIN = fileURLToPath(new URL("../../bin/waygate.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * An environment for the built CLI that touches nothing of the developer's: its own
 * config dir and data dir, no inherited WAYGATE_* variables, no colour.
 */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(path.join(tmpdir(), "waygate-home-"));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("WAYGATE_") && name !== "CI" && name !== "FORCE_COLOR") env[name] = value;
  }
  return {
    ...env,
    HOME: home,
    WAYGATE_CONFIG_DIR: path.join(home, "config"),
    WAYGATE_DATA_DIR: path.join(home, "data"),
    NO_COLOR: "1",
    ...extra,
  };
}

/** Runs the built CLI to completion. */
export function runCli(args: string[], options: { env: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number; cwd?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: options.env, stdio: ["pipe", "pipe", "pipe"], ...(options.cwd ? { cwd: options.cwd } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`waygate ${args.join(" ")} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends a signal and resolves with the exit code once the process has gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `waygate server start --port 0` and resolves with the URL it printed. */
export function startServerProcess(args: string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "server", "start", "--port", "0", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start\nstderr: ${stderr}`));
    }, 20_000);
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const url = /^(http:\/\/\S+)\n/m.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({
          url,
          child,
          stdout: () => stdout,
          stderr: () => stderr,
          stop: async (signal = "SIGTERM") => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\nstderr: ${stderr}`));
    });
  });
}

export interface CliServer {
  database: TestDatabase;
  server: ServerProcess;
  /** Isolated, with WAYGATE_API_URL and WAYGATE_API_KEY (the first tenant's admin key) set. */
  env: NodeJS.ProcessEnv;
  apiKey: string;
  stop(): Promise<void>;
}

/** `server init` and `server start` through the built CLI, on a fresh database. */
export async function startCliServer(backend: "sqlite" | "postgres" = "sqlite", options: { tenant?: string } = {}): Promise<CliServer> {
  const database = await createTestDatabase(backend);
  const env = isolatedEnv();
  const init = await runCli(["server", "init", "--json", "--tenant", options.tenant ?? "Acme", ...database.args], { env });
  if (init.code !== 0) throw new Error(`server init failed: ${init.stderr}`);
  const { apiKey } = JSON.parse(init.stdout) as { apiKey: string };
  // The tests' upstreams listen on 127.0.0.1; a real server reaches only public addresses by default.
  const server = await startServerProcess([...database.args, "--allow-loopback-upstreams"], env);
  const cli: CliServer = {
    database,
    server,
    apiKey,
    env: { ...env, WAYGATE_API_URL: server.url, WAYGATE_API_KEY: apiKey },
    // The server it holds now: a test that restarts the server (cli.server = …) has the new one stopped, not left running.
    stop: async () => {
      await cli.server.stop();
      await database.drop();
    },
  };
  return cli;
}

/** Starts `waygate server start --worker-only` and resolves once it logged that it runs (it serves no HTTP, so there is no URL). */
export function startWorkerProcess(args: string[], env: NodeJS.ProcessEnv): Promise<Omit<ServerProcess, "url">> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "server", "start", "--worker-only", "--log-format", "json", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let started = false;
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker did not start\nstderr: ${stderr}`));
    }, 20_000);
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (started || !stdout.includes('"worker started"')) return;
      started = true;
      clearTimeout(timer);
      resolve({
        child,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: async (signal = "SIGTERM") => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`worker exited with ${code} before starting\nstderr: ${stderr}`));
    });
  });
}
