import type { Command } from "commander";
import { verb, type Executor } from "../../command.js";

/** login, logout and whoami are top-level verbs, as in gh and vercel. */
export function registerAuth(program: Command, execute: Executor): void {
  verb(
    program
      .command("login")
      .description("store an API key for the current profile, after checking it with the API")
      .option("--with-token", "read the key from stdin")
      .addHelpText("after", "\nThe key comes from --api-key, --with-token (stdin), WAYGATE_API_KEY, or a prompt on a terminal."),
    execute,
    () => import("./login.js"),
    (_args, flags) => ({ withToken: flags.withToken === true }),
  );
  verb(program.command("logout").description("forget the stored key of the current profile"), execute, () => import("./logout.js"), () => ({}));
  verb(program.command("whoami").description("show which tenant and key the CLI is using, and where the key lives"), execute, () => import("./whoami.js"), () => ({}));
}
