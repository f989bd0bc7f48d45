/**
 * Code snippets that call one action through Waygate, per language. Templates live in
 * templates/snippets/; each placeholder is filled with a literal already escaped for
 * that language (snippets/literals.ts), in one pass, so a value can never introduce a
 * placeholder or break out of its literal.
 */
import type { ActionDefinition } from "../../contract/integrations.js";
import type { ManifestIntegration } from "../../contract/sdk.js";
import { CodegenError, integrationProperty, jsString } from "../naming.js";
import { memberPaths } from "../plan.js";
import { loadTemplates, SNIPPET_LANGUAGES, type SnippetLanguage, type Templates } from "../templates.js";
import { exampleFromSchema } from "./example.js";
import { asciiJson, goString, jsLiteral, pythonLiteral, pythonString, safeUrl, shellQuote } from "./literals.js";

export interface SnippetOptions {
  /** The Waygate API the snippet calls. */
  apiUrl: string;
  /** Defaults to the templates/ folder shipped with the package. */
  templates?: Templates;
}

/**
 * A runnable snippet calling `action` of `integration` through Waygate, with an
 * example input built from the action's input schema.
 *
 * @example
 * renderSnippet(integration, action, "curl", { apiUrl: "https://api.waygate.dev" });
 */
export function renderSnippet(integration: ManifestIntegration, action: ActionDefinition, lang: SnippetLanguage, options: SnippetOptions): string {
  if (!SNIPPET_LANGUAGES.includes(lang)) throw new CodegenError(`unknown snippet language ${JSON.stringify(lang)}`);
  const template = (options.templates ?? loadTemplates()).snippets[lang];
  const input = exampleFromSchema(action.inputSchema);
  const url = safeUrl(
    `${options.apiUrl.replace(/\/+$/, "")}/v1/invoke/${encodeURIComponent(integration.slug)}/${encodeURIComponent(action.name)}`,
  );
  const version = String(integration.version);
  const body = asciiJson({ input, connection: "user_42" });
  const values: Record<SnippetLanguage, () => Record<string, string>> = {
    ts: () => ({ accessor: accessorOf(integration, action), input: jsLiteral(input) }),
    js: () => ({ url: jsString(url), version: jsString(version), input: jsLiteral(input) }),
    python: () => ({ url: pythonString(url), version: pythonString(version), input: pythonLiteral(input) }),
    curl: () => ({ url: shellQuote(url), versionHeader: shellQuote(`X-Waygate-Version: ${version}`), body: shellQuote(body) }),
    go: () => ({ url: goString(url), version: goString(version), body: goString(body) }),
  };
  return fill(template, values[lang]());
}

function accessorOf(integration: ManifestIntegration, action: ActionDefinition): string {
  const path = memberPaths(integration).get(action.name);
  if (!path) throw new CodegenError(`action ${JSON.stringify(action.name)} is not in integration ${JSON.stringify(integration.slug)}`);
  return [integrationProperty(integration.slug), ...path].join(".");
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
