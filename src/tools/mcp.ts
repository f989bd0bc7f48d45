import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import type { ToolCallResult } from "../contract/index.js";
import { mcpTool, type NeutralTool } from "./formats.js";
import { trimText } from "./schema.js";

/**
 * An MCP server (tools only) over any transport, working from a backend that lists and calls
 * tools: the CLI's backend is the Waygate API (GET /v1/tools, POST /v1/tools/call) with the
 * user's key. The protocol version is the SDK's: it answers a client with the revision the
 * client asked for when it knows it (2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05), else
 * with its newest.
 *
 * Too many tools crowd a model's context and break clients with a tool cap (Cursor: 40), so
 * above `compactThreshold` tools the server offers three meta-tools instead: search_actions,
 * describe_action, call_action. Their cost is the same whatever the number of actions.
 *
 * Reference data a client can browse without spending the model's context: one resource per
 * integration (`waygate://integrations/{slug}`, its actions' names, titles, methods and paths)
 * and a template for any tool's full descriptor (`waygate://tools/{name}`).
 */
export interface ToolBackend {
  /** Every tool the server offers, ordered by name. */
  list(): Promise<NeutralTool[]>;
  call(name: string, args: unknown): Promise<ToolCallResult>;
}

export interface McpServerOptions {
  name: string;
  version: string;
  /** "auto" (default): compact above `compactThreshold` tools. */
  compact?: "auto" | "on" | "off";
  compactThreshold?: number;
}

export const DEFAULT_COMPACT_THRESHOLD = 40;
const SEARCH_LIMIT = 50;

export const META_TOOLS = {
  search: "search_actions",
  describe: "describe_action",
  call: "call_action",
} as const;

/** The three meta-tools of compact mode, as `tools/list` returns them. */
export function metaTools(count: number): Array<Record<string, unknown>> {
  return [
    {
      name: META_TOOLS.search,
      title: "Search actions",
      description: `Find actions among the ${count} available API actions by keywords (e.g. "create issue", "list repos"). Returns action names with a one-line summary; use describe_action for an action's arguments, then call_action.`,
      inputSchema: {
        type: "object",
        properties: { query: { type: "string", description: "Keywords: what you want to do, or part of an action name" }, limit: { type: "integer", minimum: 1, maximum: SEARCH_LIMIT, description: "Most results (default 10)" } },
        required: ["query"],
      },
      annotations: { title: "Search actions", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    {
      name: META_TOOLS.describe,
      title: "Describe an action",
      description: "The full description and JSON Schema of an action's arguments, by the name search_actions gave.",
      inputSchema: { type: "object", properties: { name: { type: "string", description: "Action name from search_actions" } }, required: ["name"] },
      annotations: { title: "Describe an action", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    {
      name: META_TOOLS.call,
      title: "Call an action",
      description: "Call an action with arguments matching its schema (see describe_action). Actions may change data in the connected service.",
      inputSchema: {
        type: "object",
        properties: { name: { type: "string", description: "Action name from search_actions" }, arguments: { type: "object", description: "The action's arguments" } },
        required: ["name"],
      },
      annotations: { title: "Call an action", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
  ];
}

export function createMcpServer(backend: ToolBackend, options: McpServerOptions): Server {
  const server = new Server({ name: options.name, version: options.version }, { capabilities: { tools: {}, resources: {} } });
  // Listed once per server: an MCP session is short, and versions only change by an explicit move.
  let listed: Promise<NeutralTool[]> | undefined;
  const tools = () => {
    listed ??= backend.list().catch((error: unknown) => {
      listed = undefined;
      throw error;
    });
    return listed;
  };
  const compact = async () => options.compact === "on" || (options.compact !== "off" && (await tools()).length > (options.compactThreshold ?? DEFAULT_COMPACT_THRESHOLD));

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const all = await tools();
    return { tools: (await compact()) ? metaTools(all.length) : all.map(mcpTool) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    if (!(await compact())) return asCallResult(await backend.call(name, args));
    switch (name) {
      case META_TOOLS.search:
        return search(await tools(), args);
      case META_TOOLS.describe: {
        const tool = (await tools()).find((candidate) => candidate.name === args.name);
        if (!tool) return textError(`There is no action named "${String(args.name)}". Use search_actions to find one.`);
        return { content: [{ type: "text", text: JSON.stringify(tool, null, 1) }], structuredContent: tool as unknown as Record<string, unknown> };
      }
      case META_TOOLS.call: {
        if (typeof args.name !== "string") return textError("call_action needs the action's name (from search_actions) and its arguments.");
        return asCallResult(await backend.call(args.name, args.arguments ?? {}));
      }
      default:
        return textError(`There is no tool named "${name}". The tools are ${META_TOOLS.search}, ${META_TOOLS.describe} and ${META_TOOLS.call}.`);
    }
  });
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: [...byIntegration(await tools())].map(([slug, group]) => ({
      uri: `${INTEGRATION_URI}${slug}`,
      name: slug,
      title: `${slug} actions`,
      mimeType: "application/json",
      description: `The ${group.length} actions of ${slug} version ${group[0]!.version}: tool names, titles, methods and paths`,
    })),
  }));

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      { uriTemplate: `${TOOL_URI}{name}`, name: "tool", title: "An action as a tool", mimeType: "application/json", description: "A tool's description, input and output schema, and the action it calls" },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params;
    const all = await tools();
    let value: unknown;
    if (uri.startsWith(INTEGRATION_URI)) {
      const group = byIntegration(all).get(uri.slice(INTEGRATION_URI.length));
      value = group && {
        integration: group[0]!.integration,
        version: group[0]!.version,
        actions: group.map((tool) => ({ tool: tool.name, action: tool.action, title: tool.annotations.title, method: tool.method, path: tool.path, readOnly: tool.annotations.readOnlyHint })),
      };
    } else if (uri.startsWith(TOOL_URI)) {
      value = all.find((tool) => tool.name === uri.slice(TOOL_URI.length));
    }
    // -32002 is MCP's "resource not found" (Resources, Error Handling).
    if (value === undefined) throw new McpError(RESOURCE_NOT_FOUND, `no resource ${uri}; list the resources, or use ${TOOL_URI}{tool name}`);
    return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify(value) }] };
  });
  return server;
}

const INTEGRATION_URI = "waygate://integrations/";
const TOOL_URI = "waygate://tools/";
const RESOURCE_NOT_FOUND = -32002;

function byIntegration(tools: NeutralTool[]): Map<string, NeutralTool[]> {
  const groups = new Map<string, NeutralTool[]>();
  for (const tool of tools) {
    const group = groups.get(tool.integration);
    if (group) group.push(tool);
    else groups.set(tool.integration, [tool]);
  }
  return groups;
}

/** Connects and resolves when the transport closes (the client went away). */
export async function serveMcp(server: Server, transport: Transport): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  await server.connect(transport);
  await closed;
}

function asCallResult(result: ToolCallResult): CallToolResult {
  const structured = !result.isError && isRecord(result.structured) ? { structuredContent: result.structured } : {};
  return { content: [{ type: "text", text: result.content }], isError: result.isError, ...structured };
}

function textError(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/** Keyword search: every word of the query that appears in the name, action or description counts; ties by name. */
function search(tools: NeutralTool[], args: Record<string, unknown>): CallToolResult {
  if (typeof args.query !== "string" || args.query.trim() === "") return textError("search_actions needs a query: a few keywords of what you want to do.");
  const limit = typeof args.limit === "number" && Number.isInteger(args.limit) ? Math.min(Math.max(args.limit, 1), SEARCH_LIMIT) : 10;
  const words = wordsOf(args.query);
  const scored = tools
    .map((tool) => {
      const haystack = new Set(wordsOf(`${tool.name} ${tool.action} ${tool.annotations.title}`));
      const text = tool.description.toLowerCase();
      const score = words.reduce((sum, word) => sum + (haystack.has(word) ? 3 : text.includes(word) ? 1 : 0), 0);
      return { tool, score };
    })
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || (a.tool.name < b.tool.name ? -1 : 1))
    .slice(0, limit);
  if (scored.length === 0) return { content: [{ type: "text", text: `No action matches "${args.query}". Try other words.` }] };
  const results = scored.map(({ tool }) => ({ name: tool.name, title: tool.annotations.title, method: tool.method, path: tool.path, readOnly: tool.annotations.readOnlyHint }));
  const text = results.map((result) => `${result.name}: ${trimText(result.title, 100)} (${result.method} ${result.path})`).join("\n");
  return { content: [{ type: "text", text }], structuredContent: { results } };
}

/** Lower-case words, camelCase and snake_case split: `issues.createComment` → issues, create, comment. */
function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
