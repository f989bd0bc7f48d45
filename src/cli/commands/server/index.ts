import type { Command } from "commander";
import { Option } from "commander";
import { given, port, positiveInt, verb, type Executor } from "../../command.js";

const DATABASE_HELP =
  "\nDatabase: SQLite in --data-dir (default ~/.local/share/waygate, or WAYGATE_DATA_DIR), or Postgres with\n" +
  "--database-url / WAYGATE_DATABASE_URL (postgres://…; add ?schema=NAME to use a schema).";

function withDatabase(command: Command): Command {
  return command
    .option("--data-dir <dir>", "directory of the embedded SQLite database")
    .option("--database-url <url>", "Postgres URL (overrides --data-dir)")
    .addHelpText("after", DATABASE_HELP);
}

// Spelled out, not imported from server/config.ts: that module loads zod, and `--help` must not.
// Values are checked, and defaults and environment variables applied, by server/config.ts.
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/**
 * The settings of a server process as flags, each overriding its environment variable
 * (`waygate server config` lists them all, with their values). No defaults here: a flag is
 * only in the options when given, so the environment can fill the rest.
 */
function withServerSettings(command: Command): Command {
  return withDatabase(command)
    .option("--host <host>", "interface to listen on (WAYGATE_HOST; default 127.0.0.1)")
    .option("--port <port>", "port to listen on, 0 picks a free one (WAYGATE_PORT; default 4400)", port)
    .option("--public-url <url>", "URL clients reach this server at, behind a proxy (WAYGATE_PUBLIC_URL)")
    .option("--allow-private-imports", "let URL imports fetch loopback and private addresses (default only when listening on loopback)")
    .option("--no-allow-private-imports", "refuse loopback and private addresses to imports even when listening on loopback")
    .option("--allow-loopback-upstreams", "let invokes reach this machine's loopback addresses (local development); default: public addresses only (WAYGATE_UPSTREAMS=loopback)")
    .option("--allow-private-upstreams", "let invokes and token refreshes reach any address, private networks included (WAYGATE_UPSTREAMS=private)")
    .option("--max-collected-bytes <n>", "bytes of upstream pages one collecting invoke (paginate) may hold before it stops with 507 (default 32 MiB)", positiveInt)
    .option("--max-document-bytes <n>", "largest document an import accepts (default 64 MiB)", positiveInt)
    .option("--max-upload-bytes-in-flight <n>", "bytes of documents received at once, server-wide; past it uploads get 503 + Retry-After (default 256 MiB)", positiveInt)
    .option("--worker-concurrency <n>", "import jobs this server runs at once (default 2)", positiveInt)
    .option("--tenant-concurrency <n>", "running jobs one tenant may have, over every worker on the database (default: worker concurrency - 1, at least 1)", positiveInt)
    .option("--job-lease-ms <ms>", "how long a silent worker keeps its jobs before another takes them over (WAYGATE_JOB_LEASE_MS; default 30000)", positiveInt)
    .option("--batch-shares <n>", "jobs each batch is shared into, so that as many workers run one batch together (WAYGATE_BATCH_SHARES; default 1)", positiveInt)
    .option("--redis-url <url>", "Redis for jobs (BullMQ) and rate limits shared by every process (WAYGATE_REDIS_URL); default: the embedded queue")
    .option("--redis-prefix <prefix>", "prefix of this Waygate's Redis keys (WAYGATE_REDIS_PREFIX; default waygate)")
    .option("--no-migrate", "do not apply migrations at start; refuse to start while any are pending (run `waygate server migrate` first)")
    .addOption(new Option("--log-level <level>", "least severe log lines written (WAYGATE_LOG_LEVEL; default info)").choices(LOG_LEVELS))
    .addOption(new Option("--log-format <format>", "log lines as JSON or pretty (WAYGATE_LOG_FORMAT; default pretty on a terminal, else json)").choices(["json", "pretty"]))
    .addHelpText("after", "\nEvery setting can also come from the environment (flags win): `waygate server config` lists them.");
}

/** The flags that were given, as server/config.ts's ServerFlags. */
function serverFlags(flags: Record<string, unknown>): Record<string, unknown> {
  const upstreams = flags.allowPrivateUpstreams === true ? "private" : flags.allowLoopbackUpstreams === true ? "loopback" : undefined;
  return {
    ...given(flags, ["dataDir", "databaseUrl", "host", "port", "publicUrl", "allowPrivateImports", "maxCollectedBytes", "maxDocumentBytes", "maxUploadBytesInFlight", "workerConcurrency", "tenantConcurrency", "batchShares", "jobLeaseMs", "redisUrl", "redisPrefix", "logLevel", "logFormat"]),
    ...(upstreams ? { upstreams } : {}),
    // commander sets `migrate: true` when --no-migrate is absent; only its presence is a flag.
    ...(flags.migrate === false ? { migrate: false } : {}),
  };
}

/** Operator commands: they work on the database directly, not through the API. */
export function registerServer(program: Command, execute: Executor): void {
  const noun = program.command("server").description("run and administer a Waygate API server");
  verb(
    withDatabase(
      noun
        .command("init")
        .description("set up the database and create the first tenant and its admin key")
        .option("--tenant <name>", "name of the first tenant", "default")
        .option("--force", "create another tenant even if the database already has one"),
    ),
    execute,
    () => import("./init.js"),
    (_args, flags) => ({ ...given(flags, ["dataDir", "databaseUrl"]), tenant: String(flags.tenant), force: flags.force === true }),
  );
  verb(
    withServerSettings(
      noun
        .command("start")
        .description("start the API server; stops cleanly on Ctrl-C (SIGINT) or SIGTERM")
        .option("--no-worker", "serve the API only: run no jobs in this process (run them in `server start --worker-only` processes)")
        .option("--worker-only", "run jobs only, serving no HTTP (the same as `server worker`)"),
    ),
    execute,
    () => import("./start.js"),
    (_args, flags) => ({ ...serverFlags(flags), ...(flags.worker === false ? { worker: false } : {}), ...(flags.workerOnly === true ? { workerOnly: true } : {}) }),
  );
  verb(
    withServerSettings(
      noun
        .command("worker")
        .description("run queued jobs (imports, batches) without serving HTTP, like `server start --worker-only`: beside serverless deployments or `--no-worker` API servers, or on machines of their own; --host and --port are unused"),
    ),
    execute,
    () => import("./worker.js"),
    (_args, flags) => serverFlags(flags),
  );
  verb(
    withServerSettings(noun.command("config").description("print the configuration `server start` would run with (flags, environment, defaults), secrets hidden")),
    execute,
    () => import("./config.js"),
    (_args, flags) => serverFlags(flags),
  );
  verb(
    withDatabase(
      noun
        .command("migrate")
        .description("apply pending database migrations (a deploy step of its own; safe to run from several places at once)")
        .option("--check", "apply nothing; exit 5 when migrations are pending"),
    ),
    execute,
    () => import("./migrate.js"),
    (_args, flags) => ({ ...given(flags, ["dataDir", "databaseUrl"]), check: flags.check === true }),
  );
  verb(
    withDatabase(noun.command("rotate-key").description("rotate the key that encrypts stored credentials and re-seal them (no downtime)")),
    execute,
    () => import("./rotate-key.js"),
    (_args, flags) => given(flags, ["dataDir", "databaseUrl"]),
  );
  const tenants = noun.command("tenants").description("manage tenants on this server's database");
  verb(
    withDatabase(tenants.command("create").argument("<name>", "tenant name").description("create a tenant and its first admin key")),
    execute,
    () => import("./tenants/create.js"),
    ([name], flags) => ({ ...given(flags, ["dataDir", "databaseUrl"]), name: name! }),
  );
  verb(
    withDatabase(tenants.command("list").alias("ls").description("list tenants")),
    execute,
    () => import("./tenants/list.js"),
    (_args, flags) => given(flags, ["dataDir", "databaseUrl"]),
  );
}
