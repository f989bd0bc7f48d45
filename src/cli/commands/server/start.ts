import { once } from "node:events";
import { VERSION } from "../../../version.js";
import type { Context } from "../../context.js";
import { CliError, ExitCode, UsageError } from "../../errors.js";
import type { IO } from "../../io.js";
import { describeStore, openStore } from "./database.js";
import type { Store } from "../../../store/index.js";
import type { ServerFlags } from "../../../server/config.js";
import { loadServerConfig, serverLogger } from "./settings.js";

/** The flags given; the environment and defaults fill the rest (server/config.ts). */
export type StartOptions = ServerFlags & {
  /** `--no-worker`: serve the API only; jobs run in `server start --worker-only` (or `server worker`) processes. */
  worker?: boolean;
  /** `--worker-only`: run jobs only, no HTTP (the same as `server worker`). */
  workerOnly?: boolean;
};

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

export interface StartResult {
  /** Null for `--worker-only`, which serves no HTTP. */
  url: string | null;
  stoppedBy: string;
}

/** Runs until SIGINT or SIGTERM, then closes the listener and the database before returning. */
export async function run(context: Context, options: StartOptions): Promise<StartResult> {
  const { worker: runWorker = true, workerOnly = false, ...flags } = options;
  if (workerOnly && !runWorker) throw new UsageError("--worker-only and --no-worker leave nothing to run: give one of them");
  if (workerOnly) {
    const { run: runWorkerOnly } = await import("./worker.js");
    return { url: null, ...(await runWorkerOnly(context, flags)) };
  }
  const { config } = await loadServerConfig(context, flags);
  const database = { ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), ...(config.dataDir ? { dataDir: config.dataDir } : {}) };
  const { store, location } = await openStore(context, database, { migrate: config.migrate });
  if (!config.migrate) await refuseOutdatedSchema(store, describeStore(location));
  const { startServer } = await import("../../../server/start.js");
  const logger = await serverLogger(context, config);
  const { openJobBackend } = await import("../../../jobs/index.js");
  const jobBackend = await openJobBackend(store, { url: config.redisUrl, prefix: config.redisPrefix, onError: (error) => logger.error({ err: error }, "job queue (Redis) error") });
  let server;
  try {
    server = await startServer({
      store,
      version: VERSION,
      host: config.host,
      port: config.port,
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      // A server reachable only from this machine imports what its user can already fetch; one
      // listening on a network must not become a way into it (SSRF), unless the operator says so.
      allowPrivateImports: config.allowPrivateImports ?? LOOPBACK_HOSTS.has(config.host),
      // Invokes are another matter: behind a reverse proxy on loopback, every tenant's calls
      // would otherwise reach the private network the server sits in.
      upstreams: config.upstreams,
      maxCollectedBytes: config.maxCollectedBytes,
      maxDocumentBytes: config.maxDocumentBytes,
      maxUploadBytesInFlight: config.maxUploadBytesInFlight,
      jobBackend,
      runWorker,
      ...(config.redisUrl ? { sharedRateLimits: { url: config.redisUrl, prefix: config.redisPrefix } } : {}),
      batchShares: config.batchShares,
      ...(config.tickSecret ? { tickSecret: config.tickSecret } : {}),
      // A claimed batch item is held as long as a job: a crashed worker's items come back with its jobs.
      batches: { itemLeaseMs: config.jobLeaseMs },
      worker: { concurrency: config.workerConcurrency, leaseMs: config.jobLeaseMs, ...(config.tenantConcurrency === undefined ? {} : { tenantConcurrency: config.tenantConcurrency }) },
      // Derived from the encryption key, so next-page tokens survive restarts and work across servers sharing the key.
      pageTokenKey: (await store.sealer()).derive("page-tokens"),
      logger,
      onUnexpectedError: (error, requestId) => logger.error({ err: error, requestId }, "unexpected error"),
    });
  } catch (error) {
    await jobBackend.close();
    await store.close();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new CliError(`port ${config.port} on ${config.host} is already in use; pick another with --port`);
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
  await jobBackend.close();
  await store.close();
  return { url: server.url, stoppedBy };
}

/**
 * Rolling deploys run `server migrate` first and start servers with --no-migrate: a server
 * whose migrations are not applied yet would run new code on the old schema, so it stops here.
 */
export async function refuseOutdatedSchema(store: Store, database: string): Promise<void> {
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
