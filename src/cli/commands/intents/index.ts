import { InvalidArgumentError, type Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

/** `send_message@2` → { name: "send_message", version: 2 }. */
export function intentAtVersion(value: string): { name: string; version: number } {
  const match = /^([a-z][a-z0-9_]*)@(\d+)$/.exec(value);
  if (!match || Number(match[2]) < 1) throw new InvalidArgumentError("expected <intent>@<version>, e.g. send_message@2");
  return { name: match[1]!, version: Number(match[2]) };
}

export function registerIntents(program: Command, execute: Executor): void {
  const noun = program.command("intents").description("provider-neutral operations (send_message…) mapped to several integrations' actions");
  verb(
    noun
      .command("create")
      .argument("<name>", "intent name: lower-case words joined by _, e.g. send_message")
      .option("--input-schema <file>", "canonical input JSON Schema (a file, @file, or - for stdin)")
      .option("--output-schema <file>", "canonical output JSON Schema")
      .option("--template <template>", "start from a built-in template: messages, tickets, contacts, files")
      .option("--description <text>", "what the intent does")
      .option("--fail-on-breaking", "refuse a new version that breaks the previous one (exit 5)")
      .description("create an intent, or its next immutable version"),
    execute,
    () => import("./create.js"),
    ([name], flags) => ({ name: name!, failOnBreaking: flags.failOnBreaking === true, ...given(flags, ["inputSchema", "outputSchema", "template", "description"]) }),
  );
  verb(noun.command("list").alias("ls").description("list intents with their providers"), execute, () => import("./list.js"), () => ({}));
  verb(noun.command("templates").description("list the built-in intent templates"), execute, () => import("./templates.js"), () => ({}));
  verb(
    noun.command("show").argument("<name>", "intent name").option("--version <n>", "a version (default the latest)", positiveInt).description("show an intent's schemas and bindings"),
    execute,
    () => import("./show.js"),
    ([name], flags) => ({ name: name!, ...given(flags, ["version"]) }),
  );
  verb(
    noun
      .command("bind")
      .argument("<name>", "intent name")
      .argument("<integration>", "integration slug")
      .argument("<action>", "the action that implements the intent, e.g. chat.postMessage")
      .requiredOption("--mapping <file>", 'mapping JSON: { "input": [steps], "output": [steps] } (a file, @file, or - for stdin)')
      .option("--intent-version <n>", "bind this version of the intent (default the latest)", positiveInt)
      .description("bind an integration's action to an intent; the mapping is checked against both schemas"),
    execute,
    () => import("./bind.js"),
    ([name, integration, action], flags) => ({ name: name!, integration: integration!, action: action!, mapping: String(flags.mapping), ...given(flags, ["intentVersion"]) }),
  );
  verb(
    noun.command("unbind").argument("<name>", "intent name").argument("<integration>", "integration slug").option("--version <n>", "intent version (default the latest)", positiveInt).description("remove an integration's binding"),
    execute,
    () => import("./unbind.js"),
    ([name, integration], flags) => ({ name: name!, integration: integration!, ...given(flags, ["version"]) }),
  );
  verb(
    noun
      .command("prefer")
      .argument("<name>", "intent name")
      .argument("<providers>", "integration slugs in order of preference, comma-separated: slack,teams")
      .option("--app <app>", "set the app's own preference (default: the tenant's)")
      .description("set the order providers are tried in when a call names none"),
    execute,
    () => import("./prefer.js"),
    ([name, providers], flags) => ({ name: name!, providers: providers!.split(",").map((item) => item.trim()).filter((item) => item !== ""), ...given(flags, ["app"]) }),
  );
  verb(
    noun
      .command("test")
      .argument("<name>", "intent name")
      .option("--input <json>", "canonical input as JSON, @file, or - for stdin", "{}")
      .option("--user <id>", "the end user whose connected providers are candidates")
      .option("--provider <slug>", "run this provider only")
      .option("--app <app>", "act for this app (tenant keys)")
      .option("--fallback", "try the next provider on a provider-side failure")
      .option("--extras <json>", 'provider-specific fields: { "slack": { "unfurl_links": false } }')
      .option("--idempotency-key <key>", "makes a write safe to repeat (and to fall back)")
      .description("run an intent and show which provider ran, its canonical and raw output, and what it could not honour"),
    execute,
    () => import("./test.js"),
    ([name], flags) => ({ name: name!, input: String(flags.input), fallback: flags.fallback === true, ...given(flags, ["user", "provider", "app", "extras", "idempotencyKey"]) }),
  );
  verb(
    noun.command("pin").argument("<app>", "app name or id").argument("<intent@version>", "e.g. send_message@1", intentAtVersion).description("run an app on a fixed version of an intent"),
    execute,
    () => import("./pin.js"),
    ([app, target]) => ({ app: app!, ...(target as unknown as { name: string; version: number }) }),
  );
  verb(
    noun.command("unpin").argument("<app>", "app name or id").argument("<name>", "intent name").description("let an app run the intent's latest version again"),
    execute,
    () => import("./unpin.js"),
    ([app, name]) => ({ app: app!, name: name! }),
  );
  verb(
    noun.command("diff").argument("<name>", "intent name").argument("<from>", "version", positiveInt).argument("<to>", "version", positiveInt).description("compare two versions' canonical schemas"),
    execute,
    () => import("./diff.js"),
    ([name, from, to]) => ({ name: name!, from: Number(from), to: Number(to) }),
  );
}
