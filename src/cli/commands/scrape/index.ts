import { Option, type Command } from "commander";
import { given, positiveInt, verb, type Executor } from "../../command.js";

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
      .option("--publish", "make the new version current even when it breaks the current one or looks like another API (otherwise kept as a draft)")
      .option("--server-url <url>", "the API's base URL, for documents without an absolute one (relative servers, Swagger 2.0 without host); overrides the document's")
      .option(
        "--server-var <name=value>",
        "a value for an OpenAPI server variable, e.g. --server-var host=gitlab.example.com (repeatable; over the document's defaults)",
        (value: string, previous: string[]) => [...previous, value],
        [] as string[],
      )
      .option("--allow-dangling-refs", "import even when $refs point to nothing (those schemas then accept any value); refused by default")
      .option(
        "--header <header>",
        'a request header for fetching the docs URL, "Name: value" (repeatable); sent to that URL\'s origin only and stored encrypted',
        (value: string, previous: string[]) => [...previous, value],
        [] as string[],
      )
      .option("--no-crawl", "read an HTML docs page alone, without following its links")
      .option("--max-pages <n>", "crawl at most this many docs pages (default 200, at most 10000)", positiveInt)
      .option("--max-depth <n>", "follow links at most this deep from the start page (default 5)", positiveInt)
      .option("--include <pattern>", "crawl only pages whose URL matches (\"*\" matches anything; repeatable)", (value: string, previous: string[]) => [...previous, value], [] as string[])
      .option("--exclude <pattern>", "do not crawl pages whose URL matches (repeatable)", (value: string, previous: string[]) => [...previous, value], [] as string[])
      .option("--no-wait", "print the job id and return at once")
      .addHelpText(
        "after",
        '\nA local file is uploaded by the CLI; a URL is fetched by the server.\nAn HTML page that links no spec is crawled: same site, under the page\'s folder, robots.txt honoured.\nDocs behind authentication: prefer --header "Authorization: Bearer …" to credentials in the URL.\nFollow a job later with `waygate jobs watch <id>`.',
      ),
    execute,
    () => import("./scrape.js"),
    ([source], flags) => ({
      source: source!,
      ...given(flags, ["slug", "name", "serverUrl"]),
      format: flags.format as string,
      draft: flags.draft === true,
      publish: flags.publish === true,
      allowDanglingRefs: flags.allowDanglingRefs === true,
      serverVars: flags.serverVar as string[],
      wait: flags.wait !== false,
      headers: flags.header as string[],
      crawl: flags.crawl !== false,
      ...given(flags, ["maxPages", "maxDepth"]),
      include: flags.include as string[],
      exclude: flags.exclude as string[],
    }),
  );
}
