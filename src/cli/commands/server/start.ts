import { once } from "node:events";
import { VERSION } from "../../../version.js";
import type { Context } from "../../context.js";
import { CliError, ExitCode } from "../../errors.js";
import type { IO } from "../../io.js";
import { describeStore, openStore, type DatabaseFlags } from "./database.js";
import type { NetworkReach } from "../../../importer/net-guard.js";
import type { Store } from "../../../store/index.js";
import type { LogFormat, LogLevel } from "../../../server/logging.js";

export interface StartOptions extends DatabaseFlags {
  host: string;
  port: number;
  /** Unset: allowed exactly when the server listens on loopback only (a developer's own machine). */
  allowPrivateImports?: boolean;
  /** Where invokes may go: public addresses only unless the operator says otherwise, whatever the listen address. */
  upstreams: NetworkReach;
  maxCollectedBytes: number;
  maxDocumentBytes: number;
  maxUploadBytesInFlight: number;
  workerConcurrency: number;
  /** Unset: the worker's default (worker concurrency - 1, at least 1). */
  tenantConcurrency?: number;
  logLevel: LogLevel;
  /** Apply pending migrations at start (default); false refuses to start while any are pending. */
  migrate: boolean;
  /** Unset: pretty on a terminal, JSON lines otherwise. */
  logFormat?: LogFormat;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

export interface StartResult {
  url: string;
  stoppedBy: string;
}

/** Runs until SIGINT or SIGTERM, then closes the listener and the database before returning. */
export async function run(context: Context, options: StartOptions): Promise<StartResult> {
  const { store, location } = await openStore(context, options, { migrate: options.migrate });
  if (!options.migrate) await refuseOutdatedSchema(store, describeStore(location));
  const { startServer } = await import("../../../server/start.js");
  const { createLogger } = await import("../../../server/logging.js");
  const logger = createLogger({
    level: options.logLevel,
    format: options.logFormat ?? (context.io.stdoutIsTTY ? "pretty" : "json"),
    writeLine: (line) => context.io.out(line),
    color: context.io.color,
  });
  let server;
  try {
    server = await startServer({
      store,
      version: VERSION,
      host: options.host,
      port: options.port,
      // A server reachable only from this machine imports what its user can already fetch; one
      // listening on a network must not become a way into it (SSRF), unless the operator says so.
      allowPrivateImports: options.allowPrivateImports ?? LOOPBACK_HOSTS.has(options.host),
      // Invokes are another matter: behind a reverse proxy on loopback, every tenant's calls
      // would otherwise reach the private network the server sits in.
      upstreams: options.upstreams,
      maxCollectedBytes: options.maxCollectedBytes,
      maxDocumentBytes: options.maxDocumentBytes,
      maxUploadBytesInFlight: options.maxUploadBytesInFlight,
      worker: { concurrency: options.workerConcurrency, ...(options.tenantConcurrency === undefined ? {} : { tenantConcurrency: options.tenantConcurrency }) },
      // Derived from the encryption key, so next-page tokens survive restarts and work across servers sharing the key.
      pageTokenKey: (await store.sealer()).derive("page-tokens"),
      logger,
      onUnexpectedError: (error, requestId) => logger.error({ err: error, requestId }, "unexpected error"),
    });
  } catch (error) {
    await store.close();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new CliError(`port ${options.port} on ${options.host} is already in use; pick another with --port`);
    }
    throw error;
  }

  // stdout gets the URL alone (or JSON), so scripts can read it; the rest goes to stderr.
  if (context.globals.json) context.io.out(JSON.stringify({ url: server.url, database: describeStore(location) }));
  else {
    context.io.out(server.url);
    context.io.err(`Waygate API ${VERSION} listening on ${server.url} (${describeStore(location)}). Ctrl-C to stop.`);
    if ((await store.tenants.count()) === 0) context.io.err("No tenants yet: create one with `waygate server init`.");
  }

  const stoppedBy = await Promise.race([once(process, "SIGINT").then(() => "SIGINT"), once(process, "SIGTERM").then(() => "SIGTERM")]);
  await server.close();
  await store.close();
  return { url: server.url, stoppedBy };
}

/**
 * Rolling deploys run `server migrate` first and start servers with --no-migrate: a server
 * whose migrations are not applied yet would run new code on the old schema, so it stops here.
 */
async function refuseOutdatedSchema(store: Store, database: string): Promise<void> {
  let pending: string[];
  try {
    ({ pending } = await store.migrations.status());
  } catch (error) {
    await store.close();
    throw error;
  }
  if (pending.length === 0) return;
  await store.close();
  throw new CliError(
    `${database} is missing ${pending.length} migration${pending.length === 1 ? "" : "s"} this version needs (${pending.join(", ")}): run \`waygate server migrate\` first, or start without --no-migrate.`,
    ExitCode.conflict,
  );
}

export function render(result: StartResult, io: IO): void {
  io.err(`Stopped (${result.stoppedBy}).`);
}
