import type { Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

export function registerConnect(program: Command, execute: Executor): void {
  verb(
    program
      .command("connect")
      .argument("<integration>", "integration slug")
      .requiredOption("--user <id>", "your id for the end user who connects")
      .option("--app <app>", "the app the connection is for (tenant keys; an app key acts for its own app)")
      .option("--open", "open the link in the browser of this machine")
      .option("--expires-in <seconds>", "how long the link works (default 1800)", positiveInt)
      .option("--no-wait", "print the link and exit without waiting for the connection")
      .description("make a connect link for an end user (hosted page: OAuth2 or a key form) and wait until they have connected or it expires"),
    execute,
    () => import("./connect.js"),
    ([integration], flags) => ({
      integration: integration!,
      user: String(flags.user),
      wait: flags.wait !== false,
      ...given<{ app: string; open: boolean; expiresIn: number }>(flags, ["app", "open", "expiresIn"]),
    }),
  );
}
