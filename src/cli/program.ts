import { Command } from "commander";
import type { Executor } from "./command.js";
import { registerActions } from "./commands/actions/index.js";
import { registerApps } from "./commands/apps/index.js";
import { registerAuth } from "./commands/auth/index.js";
import { registerConnect } from "./commands/connect/index.js";
import { registerConnections } from "./commands/connections/index.js";
import { registerGenerate } from "./commands/generate/index.js";
import { registerInvoke } from "./commands/invoke/index.js";
import { registerInit } from "./commands/init/index.js";
import { registerIntegrations } from "./commands/integrations/index.js";
import { registerJobs } from "./commands/jobs/index.js";
import { registerBatch } from "./commands/batch/index.js";
import { registerSchedules } from "./commands/schedules/index.js";
import { registerIntents } from "./commands/intents/index.js";
import { registerKeys } from "./commands/keys/index.js";
import { registerMcp } from "./commands/mcp/index.js";
import { registerPins } from "./commands/pins/index.js";
import { registerScrape } from "./commands/scrape/index.js";
import { registerServer } from "./commands/server/index.js";
import { registerSnippets } from "./commands/snippets/index.js";
import { registerTools } from "./commands/tools/index.js";
import { registerVersions } from "./commands/versions/index.js";
import { registerDrift } from "./commands/drift/index.js";
import { registerProposals } from "./commands/proposals/index.js";
import { registerAlerts } from "./commands/alerts/index.js";

export interface ProgramOptions {
  execute: Executor;
  writeOut: (text: string) => void;
  writeErr: (text: string) => void;
}

/** The whole command tree. Declaring it is cheap: verb modules load only when they run. */
export function buildProgram(options: ProgramOptions): Command {
  const program = new Command("waygate")
    .description("Turn API docs into versioned, typed integrations, and call them through one gateway.")
    .helpOption("-h, --help", "show help")
    .option("--api-url <url>", "Waygate API to talk to (default: the profile's, else http://127.0.0.1:4400)")
    .option("--api-key <key>", "API key to use (prefer WAYGATE_API_KEY or `waygate login`: flags end up in shell history)")
    .option("--profile <name>", "named profile from the config file")
    .option("--json", "print one JSON document on stdout")
    .option("--debug", "print stack traces and request details")
    .option("--no-color", "disable colour (also NO_COLOR)")
    .option("-y, --yes", "answer yes to confirmations; never prompt")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: options.writeOut, writeErr: options.writeErr })
    .addHelpText(
      "after",
      "\n  -v, --version     print the version (first argument only: `actions list --version N` means a version of the integration)\n" +
        "\nEnvironment: WAYGATE_API_URL, WAYGATE_API_KEY, WAYGATE_PROFILE, WAYGATE_CONFIG_DIR, NO_COLOR, CI\n" +
        "Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 auth, 5 conflict/check failed, 6 network",
    );

  registerAuth(program, options.execute);
  registerScrape(program, options.execute);
  registerIntegrations(program, options.execute);
  registerActions(program, options.execute);
  registerVersions(program, options.execute);
  registerApps(program, options.execute);
  registerPins(program, options.execute);
  registerInit(program, options.execute);
  registerGenerate(program, options.execute);
  registerSnippets(program, options.execute);
  registerConnections(program, options.execute);
  registerConnect(program, options.execute);
  registerInvoke(program, options.execute);
  registerTools(program, options.execute);
  registerMcp(program, options.execute);
  registerJobs(program, options.execute);
  registerBatch(program, options.execute);
  registerSchedules(program, options.execute);
  registerIntents(program, options.execute);
  registerDrift(program, options.execute);
  registerProposals(program, options.execute);
  registerAlerts(program, options.execute);
  registerKeys(program, options.execute);
  registerServer(program, options.execute);
  return program;
}
