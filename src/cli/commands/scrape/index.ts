import { Option, type Command } from "commander";
import { given, verb, type Executor } from "../../command.js";

export function registerScrape(program: Command, execute: Executor): void {
  verb(
    program
      .command("scrape")
      .argument("<source>", "URL of the API docs (OpenAPI, Swagger, Postman, or an HTML docs page), or a local file")
      .description("import API documentation into an integration (a new version when the slug exists)")
      .option("--slug <slug>", "integration slug (default: from the document's title)")
      .option("--name <name>", "integration name (default: the document's title)")
      .addOption(new Option("--format <format>", "document format").choices(["auto", "openapi", "swagger", "postman", "html"]).default("auto"))
      .option("--draft", "store the new version as a draft (publish it later with `versions publish`)")
      .option(
        "--header <header>",
        'a request header for fetching the docs URL, "Name: value" (repeatable); sent to that URL\'s origin only and stored encrypted',
        (value: string, previous: string[]) => [...previous, value],
        [] as string[],
      )
      .option("--no-wait", "print the job id and return at once")
      .addHelpText(
        "after",
        '\nA local file is uploaded by the CLI; a URL is fetched by the server.\nDocs behind authentication: prefer --header "Authorization: Bearer …" to credentials in the URL.\nFollow a job later with `waygate jobs watch <id>`.',
      ),
    execute,
    () => import("./scrape.js"),
    ([source], flags) => ({ source: source!, ...given(flags, ["slug", "name"]), format: flags.format as string, draft: flags.draft === true, wait: flags.wait !== false, headers: flags.header as string[] }),
  );
}
