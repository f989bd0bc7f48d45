import { InvalidArgumentError, Option, type Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

export function registerIntegrations(program: Command, execute: Executor): void {
  const noun = program.command("integrations").alias("int").description("list, show, create, correct and delete integrations");
  verb(
    noun
      .command("list")
      .alias("ls")
      .description("list integrations, sorted by slug")
      .option("--search <text>", "only integrations whose slug or name contains this")
      .option("--limit <n>", "page size (1-200)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow every page"),
    execute,
    () => import("./list.js"),
    (_args, flags) => ({ ...given(flags, ["search", "limit", "cursor"]), all: flags.all === true }),
  );
  verb(
    noun.command("show").argument("<slug>", "integration slug").description("show an integration"),
    execute,
    () => import("./show.js"),
    ([slug]) => ({ slug: slug! }),
  );
  verb(
    noun
      .command("create")
      .argument("<file>", "integration definition (JSON), or - for stdin")
      .option("--draft", "store the new version as a draft (publish it later with `versions publish`)")
      .description("create an integration from a definition file, or add it as the next version"),
    execute,
    () => import("./create.js"),
    ([file], flags) => ({ file: file!, draft: flags.draft === true }),
  );
  verb(
    noun
      .command("rate-limit")
      .argument("<slug>", "integration slug")
      .description("set the token bucket the gateway keeps to for this integration, so it waits instead of provoking 429s")
      .option("--capacity <n>", "calls allowed at once (bucket size)", positiveInt)
      .option("--per-second <n>", "refill rate, calls per second", (value: string) => {
        const rate = Number(value);
        if (!(rate > 0)) throw new InvalidArgumentError("must be a positive number");
        return rate;
      })
      .option("--clear", "remove the configured limit"),
    execute,
    () => import("./rate-limit.js"),
    ([slug], flags) => ({ slug: slug!, ...given(flags, ["capacity", "perSecond"]), clear: flags.clear === true }),
  );
  verb(
    noun
      .command("set-base-url")
      .argument("<slug>", "integration slug")
      .argument("<url>", "the API's base URL, e.g. https://gitlab.example.com/api/v4")
      .description("point an integration at another base URL (self-hosted GitLab, GHES, Jira): a new current version, no re-import"),
    execute,
    () => import("./set-base-url.js"),
    ([slug, url]) => ({ slug: slug!, url: url! }),
  );
  verb(
    noun
      .command("set-auth")
      .argument("<slug>", "integration slug")
      .description("correct how an integration authenticates (a scrape that guessed wrong or found none): a new current version, no re-import")
      .addOption(new Option("--type <type>", "the auth scheme").choices(["none", "apiKey", "bearer", "basic", "oauth2"]).makeOptionMandatory())
      .option("--name <name>", "apiKey: the header, query parameter or cookie that carries the key")
      .addOption(new Option("--in <where>", "apiKey: where the key goes (default header)").choices(["header", "query", "cookie"]))
      .option("--bearer-format <format>", "bearer: what the token is, e.g. JWT")
      .addOption(new Option("--flow <flow>", "oauth2: the grant (default clientCredentials, or authorizationCode with --authorization-url)").choices(["clientCredentials", "authorizationCode"]))
      .option("--token-url <url>", "oauth2: the token endpoint")
      .option("--authorization-url <url>", "oauth2: the authorization endpoint (authorizationCode)")
      .option("--scopes <list>", "oauth2: comma-separated scopes", (value: string) => value.split(",").map((scope) => scope.trim()).filter(Boolean)),
    execute,
    () => import("./set-auth.js"),
    ([slug], flags) => ({
      slug: slug!,
      type: flags.type as "none" | "apiKey" | "bearer" | "basic" | "oauth2",
      ...given(flags, ["name", "in", "bearerFormat", "flow", "tokenUrl", "authorizationUrl", "scopes"]),
    }),
  );
  verb(
    noun
      .command("edit")
      .argument("<slug>", "integration slug")
      .description("edit the current definition in $VISUAL/$EDITOR (or take it from --file) and save it as the next version")
      .option("--file <file>", "the edited definition (JSON), or - for stdin, instead of opening an editor")
      .option("--draft", "save the new version as a draft (publish it later with `versions publish`)"),
    execute,
    () => import("./edit.js"),
    ([slug], flags) => ({ slug: slug!, ...given(flags, ["file"]), draft: flags.draft === true }),
  );
  verb(
    noun.command("delete").alias("rm").argument("<slug>", "integration slug").description("delete an integration and all its versions"),
    execute,
    () => import("./delete.js"),
    ([slug]) => ({ slug: slug! }),
  );
}
