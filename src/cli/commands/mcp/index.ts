import { Option, type Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

export function registerMcp(program: Command, execute: Executor): void {
  verb(
    program
      .command("mcp")
      .description("run an MCP server over stdio exposing your actions as tools (for Claude Desktop, Cursor, VS Code…)")
      .option("--app <app>", "act for this app: its versions and connections (tenant keys; an app key always means its own)")
      .option("--user <id>", "the end user whose connections the calls use (default: the app's connection without a user)")
      .option("--integrations <slugs>", "only these integrations, comma-separated")
      .option("--actions <globs>", "only actions matching these globs, comma-separated, e.g. 'issues.*'")
      .option("--tags <tags>", "only actions with one of these tags, comma-separated")
      .addOption(new Option("--compact <mode>", "offer search/describe/call meta-tools instead of one tool per action").choices(["auto", "on", "off"]).default("auto"))
      .option("--compact-threshold <n>", "with --compact auto: go compact above this many tools (default 40)", positiveInt)
      .addHelpText(
        "after",
        "\nCredentials come from the environment like every command (WAYGATE_API_URL, WAYGATE_API_KEY) or the profile.\n" +
          "stdout carries the protocol; messages go to stderr. See README \"AI tools and MCP\" for client config snippets.",
      ),
    execute,
    () => import("./mcp.js"),
    (_args, flags) => ({ compact: String(flags.compact) as "auto", ...given(flags, ["app", "user", "integrations", "actions", "tags", "compactThreshold"]) }),
  );
}
