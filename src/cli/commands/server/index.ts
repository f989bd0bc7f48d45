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

// Spelled out, not imported from server/logging.ts: that module loads pino, and `--help` must not.
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

function logLevelOption(): Option {
  return new Option("--log-level <level>", "least severe log lines written").choices(LOG_LEVELS).default("info").env("WAYGATE_LOG_LEVEL");
}

function logFormatOption(): Option {
  return new Option("--log-format <format>", "log lines as JSON (default when stdout is not a terminal) or pretty (default on a terminal)").choices(["json", "pretty"]).env("WAYGATE_LOG_FORMAT");
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
    withDatabase(
      noun
        .command("start")
        .description("start the API server; stops cleanly on Ctrl-C (SIGINT) or SIGTERM")
        .option("--host <host>", "interface to listen on", "127.0.0.1")
        .option("--port <port>", "port to listen on (0 picks a free one)", port, 4400)
        .option("--allow-private-imports", "let URL imports fetch loopback and private addresses (default only when listening on loopback)")
        .option("--no-allow-private-imports", "refuse loopback and private addresses to imports even when listening on loopback")
        .option("--allow-loopback-upstreams", "let invokes reach this machine's loopback addresses (local development); default: public addresses only")
        .option("--allow-private-upstreams", "let invokes and token refreshes reach any address, private networks included; default: public addresses only")
        .option("--max-collected-bytes <n>", "bytes of upstream pages one collecting invoke (paginate) may hold before it stops with 507", positiveInt, 32 * 1024 * 1024)
        .option("--max-document-bytes <n>", "largest document an import accepts", positiveInt, 64 * 1024 * 1024)
        .option("--max-upload-bytes-in-flight <n>", "bytes of documents received at once, server-wide; past it uploads get 503 + Retry-After", positiveInt, 256 * 1024 * 1024)
        .option("--worker-concurrency <n>", "import jobs this server runs at once", positiveInt, 2)
        .option("--tenant-concurrency <n>", "running import jobs one tenant may have, over every server on the database (default: worker concurrency - 1, at least 1)", positiveInt)
        .option("--no-migrate", "do not apply migrations at start; refuse to start while any are pending (run `waygate server migrate` first)")
        .addOption(logLevelOption())
        .addOption(logFormatOption()),
    ),
    execute,
    () => import("./start.js"),
    (_args, flags) => ({
      ...given(flags, ["dataDir", "databaseUrl", "allowPrivateImports"]),
      upstreams: flags.allowPrivateUpstreams === true ? "private" : flags.allowLoopbackUpstreams === true ? "loopback" : "public",
      maxCollectedBytes: flags.maxCollectedBytes as number,
      host: String(flags.host),
      port: flags.port as number,
      maxDocumentBytes: flags.maxDocumentBytes as number,
      maxUploadBytesInFlight: flags.maxUploadBytesInFlight as number,
      workerConcurrency: flags.workerConcurrency as number,
      ...given(flags, ["tenantConcurrency", "logFormat"]),
      logLevel: flags.logLevel as LogLevel,
      migrate: flags.migrate !== false,
    }),
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
