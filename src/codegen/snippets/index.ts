/**
 * Code snippets that call one action through Waygate, per language. Templates live in
 * templates/snippets/; each placeholder is filled with a literal already escaped for
 * that language (snippets/literals.ts), in one pass, so a value can never introduce a
 * placeholder or break out of its literal.
 */
import type { ActionDefinition } from "../../contract/integrations.js";
import type { ManifestIntegration } from "../../contract/sdk.js";
import { InvokeRequestHeaders } from "../../contract/invoke.js";
import { CodegenError, integrationProperty, jsString } from "../naming.js";
import { memberPaths, paginationSpec } from "../plan.js";
import { loadTemplates, SNIPPET_LANGUAGES, type SnippetLanguage, type Templates } from "../templates.js";
import { exampleFromSchema } from "./example.js";
import { asciiJson, goString, jsLiteral, pythonLiteral, pythonString, safeUrl, shellQuote } from "./literals.js";

export interface SnippetOptions {
  /** The Waygate API the snippet calls. */
  apiUrl: string;
  /**
   * The app the snippet names by default (a tenant key acts for it; an app key acts for
   * its own app anyway); `WAYGATE_APP` overrides it. Without one, the snippet sends the
   * app only when `WAYGATE_APP` is set.
   */
  app?: string | undefined;
  /** Defaults to the templates/ folder shipped with the package. */
  templates?: Templates;
}

/**
 * A runnable snippet calling `action` of `integration` through Waygate, with an
 * example input built from the action's input schema. Paginated actions walk every
 * page with Waygate's page tokens (`x-waygate-next-page` → the body's `page`).
 *
 * @example
 * renderSnippet(integration, action, "curl", { apiUrl: "https://api.waygate.dev", app: "web" });
 */
export function renderSnippet(integration: ManifestIntegration, action: ActionDefinition, lang: SnippetLanguage, options: SnippetOptions): string {
  if (!SNIPPET_LANGUAGES.includes(lang)) throw new CodegenError(`unknown snippet language ${JSON.stringify(lang)}`);
  const template = resolveSections((options.templates ?? loadTemplates()).snippets[lang], snippetFlags(action, options));
  const input = exampleFromSchema(action.inputSchema);
  const apiUrl = safeUrl(options.apiUrl.replace(/\/+$/, ""));
  const url = `${apiUrl}/v1/invoke/${encodeURIComponent(integration.slug)}/${encodeURIComponent(action.name)}`;
  const version = String(integration.version);
  const app = options.app ?? "";
  const values: Record<SnippetLanguage, () => Record<string, string>> = {
    ts: () => ({ accessor: accessorOf(integration, action), input: jsLiteral(input), baseUrl: jsString(apiUrl), app: jsString(app) }),
    js: () => ({ url: jsString(url), version: jsString(version), input: jsLiteral(input), app: jsString(app) }),
    python: () => ({ url: pythonString(url), version: pythonString(version), input: pythonLiteral(input), app: pythonString(app) }),
    curl: () => ({
      url: shellQuote(url),
      versionHeader: shellQuote(`${InvokeRequestHeaders.expectedVersion}: ${version}`),
      body: shellQuote(asciiJson({ input, connection: "user_42" })),
      app: shellQuote(app),
    }),
    go: () => ({ url: goString(url), version: goString(version), input: goString(asciiJson(input)), app: goString(app) }),
  };
  return fill(template, values[lang]());
}

/** Which optional blocks of a template apply: `paginated` (the action has a pagination the client knows) and `app`. */
export function snippetFlags(action: ActionDefinition, options: Pick<SnippetOptions, "app">): Record<"paginated" | "app", boolean> {
  return { paginated: paginationSpec(action.pagination) !== undefined, app: options.app !== undefined && options.app !== "" };
}

function accessorOf(integration: ManifestIntegration, action: ActionDefinition): string {
  const path = memberPaths(integration).get(action.name);
  if (!path) throw new CodegenError(`action ${JSON.stringify(action.name)} is not in integration ${JSON.stringify(integration.slug)}`);
  return [integrationProperty(integration.slug), ...path].join(".");
}

const SECTION = /^\{\{([#^])([A-Za-z]+)\}\}\n([\s\S]*?)^\{\{\/\2\}\}\n/gm;

/**
 * Keeps or drops a template's optional blocks: `{{#flag}}` … `{{/flag}}` stays when the
 * flag is set, `{{^flag}}` … `{{/flag}}` when it is not. Tags stand on lines of their own
 * and blocks do not nest. This runs on the template alone, before any value is filled in,
 * so no value from a spec can open or close a block.
 */
export function resolveSections(template: string, flags: Readonly<Record<string, boolean>>): string {
  const resolved = template.replace(SECTION, (_block: string, sign: string, name: string, body: string) => {
    if (!Object.hasOwn(flags, name)) throw new CodegenError(`template block {{${sign}${name}}} has no flag`);
    return flags[name] === (sign === "#") ? body : "";
  });
  const stray = /\{\{[#^/][A-Za-z]*\}\}/.exec(resolved);
  if (stray) throw new CodegenError(`template tag ${stray[0]} is not a block on lines of its own`);
  return resolved;
}

/**
 * Replaces `{{name}}` placeholders in one pass; a multi-line value is indented to
 * the column of the line its placeholder is on.
 */
export function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Za-z]+)\}\}/g, (placeholder: string, name: string, offset: number) => {
    if (!Object.hasOwn(values, name)) throw new CodegenError(`template placeholder ${placeholder} has no value`);
    const lineStart = template.lastIndexOf("\n", offset) + 1;
    const indent = /^[ \t]*/.exec(template.slice(lineStart, offset))?.[0] ?? "";
    return (values[name] ?? "").replace(/\n/g, `\n${indent}`);
  });
}
