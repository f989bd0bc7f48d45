import { Option, type Command } from "commander";
import { given, verb, type Executor } from "../../command.js";

export function registerTools(program: Command, execute: Executor): void {
  const tools = program.command("tools").description("actions as AI tools: export them for OpenAI, Anthropic, LangChain, MCP or plain JSON Schema");
  verb(
    tools
      .command("export")
      .description("write tool definitions for the actions your app runs (names valid everywhere, $refs inlined)")
      .addOption(new Option("--format <format>", "tool-definition shape").choices(["openai", "anthropic", "langchain", "mcp", "jsonschema"]).default("jsonschema"))
      .option("--app <app>", "app whose pins decide the versions (tenant keys; an app key always means its own)")
      .option("--integrations <slugs>", "only these integrations, comma-separated")
      .option("--actions <globs>", "only actions matching these globs, comma-separated, e.g. 'issues.*,repos.get'")
      .option("--tags <tags>", "only actions with one of these tags, comma-separated")
      .addOption(new Option("--intents <mode>", "intents as tools: beside the actions, instead of the actions bound to them, or none").choices(["include", "replace", "exclude"]))
      .option("--out <file>", "write to this file instead of stdout")
      .addHelpText(
        "after",
        "\nopenai and anthropic write the array to pass as `tools`; langchain the StructuredToolParams for `tool()`; mcp writes a tools/list result; jsonschema the neutral\n" +
          "descriptors (with output schemas and the action each tool calls). OpenAI's strict mode is not set: imported API\n" +
          "schemas use keywords strict mode refuses (oneOf, allOf, optional properties). See README \"AI tools and MCP\".",
      ),
    execute,
    () => import("./export.js"),
    (_args, flags) => ({ format: String(flags.format) as "jsonschema", ...given(flags, ["app", "integrations", "actions", "tags", "intents", "out"]) }),
  );
}
