import type { ActionDefinition } from "../contract/index.js";
import { ToolNames } from "./names.js";
import { boundedSchema, DEFAULT_SCHEMA_LIMITS, trimText, type SchemaFallback, type SchemaLimits } from "./schema.js";

/** The integrations tools are made from: each at the one version the caller's app runs. */
export interface ToolSource {
  slug: string;
  name: string;
  version: number;
  actions: ActionDefinition[];
}

/**
 * MCP tool annotations (MCP 2025-06-18 `ToolAnnotations`), from the HTTP method's semantics
 * (RFC 9110 §9.2): GET/HEAD/OPTIONS are safe; PUT and DELETE are idempotent; DELETE
 * destroys; every action reaches a third-party API, so the world is open.
 */
export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** One action as a tool, independent of any provider's format. */
export interface ToolDescriptor {
  name: string;
  integration: string;
  version: number;
  action: string;
  method: string;
  path: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown> | null;
  annotations: ToolAnnotations;
  /** Which size fallback the input schema took (see schema.ts); "none" when it is complete. */
  inputFallback: SchemaFallback;
  tags: string[];
}

export interface DescriptorOptions {
  limits?: SchemaLimits;
  /** Longest description. Default 1 000 characters: enough for the summary and the gist of the docs. */
  maxDescription?: number;
}

/** Tools of the given integrations, ordered by name (deterministic), with the names' reverse map. */
export function buildTools(sources: readonly ToolSource[], options: DescriptorOptions = {}): { tools: ToolDescriptor[]; names: ToolNames } {
  const names = new ToolNames();
  const tools: ToolDescriptor[] = [];
  for (const source of sources) {
    for (const action of source.actions) tools.push(describeAction(source, action, names.add({ integration: source.slug, action: action.name }), options));
  }
  tools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tools, names };
}

export function describeAction(source: ToolSource, action: ActionDefinition, name: string, options: DescriptorOptions = {}): ToolDescriptor {
  const limits = options.limits ?? DEFAULT_SCHEMA_LIMITS;
  const input = boundedSchema(action.inputSchema, limits);
  const output = action.outputSchema ? boundedSchema(action.outputSchema, limits) : null;
  return {
    name,
    integration: source.slug,
    version: source.version,
    action: action.name,
    method: action.method,
    path: action.path,
    description: toolDescription(source, action, input.fallback, options.maxDescription ?? 1_000),
    inputSchema: input.schema,
    // An output schema that had to be cut is no contract: MCP clients validate structuredContent against it.
    outputSchema: output && output.fallback === "none" ? output.schema : null,
    annotations: annotationsOf(action),
    inputFallback: input.fallback,
    tags: action.tags,
  };
}

function toolDescription(source: ToolSource, action: ActionDefinition, fallback: SchemaFallback, max: number): string {
  const lead = action.summary ?? action.name;
  const notes = [`${source.name}: ${action.method} ${action.path}.`];
  if (action.deprecated) notes.push("Deprecated.");
  if (fallback !== "none") notes.push("Input schema abbreviated; ask for the action's full schema if a field is unclear.");
  const tail = ` (${notes.join(" ")})`;
  const body = action.description ? ` ${stripMarkdownLinks(action.description)}` : "";
  const sentence = /[.!?:]$/.test(lead.trim()) ? lead.trim() : `${lead.trim()}.`;
  return trimText(`${sentence}${body}`, Math.max(40, max - tail.length)) + tail;
}

/** `[text](url)` → `text`: links cost tokens and a model cannot follow them. */
function stripMarkdownLinks(text: string): string {
  return text.replace(/\[([^\]]{0,200})\]\([^)\s]{0,2000}\)/g, "$1");
}

export function annotationsOf(action: ActionDefinition): ToolAnnotations {
  const method = action.method.toUpperCase();
  const readOnly = method === "GET" || method === "HEAD" || method === "OPTIONS";
  return {
    title: action.summary ? trimText(action.summary, 120) : action.name,
    readOnlyHint: readOnly,
    destructiveHint: method === "DELETE",
    idempotentHint: readOnly || method === "PUT" || method === "DELETE",
    openWorldHint: true,
  };
}
