import { routes } from "../../../contract/index.js";
import type { RouteOutput } from "../../../contract/routes.js";
import type { Context } from "../../context.js";
import { style, type IO } from "../../io.js";

type Snippets = RouteOutput<typeof routes.getSnippets>;

export interface SnippetsOptions {
  integration: string;
  action: string;
  lang: string;
  version?: number;
}

export async function run(context: Context, options: SnippetsOptions): Promise<Snippets> {
  return (await context.client()).call(routes.getSnippets, {
    params: { slug: options.integration, action: options.action },
    query: { version: options.version, lang: options.lang === "all" ? undefined : (options.lang as "ts") },
  });
}

export function render(result: Snippets, io: IO): void {
  // One language: the code alone, so `waygate snippets … > file` gives a runnable file.
  if (result.snippets.length === 1) {
    io.out(result.snippets[0]!.code.trimEnd());
    return;
  }
  for (const snippet of result.snippets) {
    io.out(style(io, "bold", `# ${snippet.lang}`));
    io.out(snippet.code.trimEnd() + "\n");
  }
}
