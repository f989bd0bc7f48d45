import { z } from "zod";

/** The formats `GET /v1/tools` and `waygate tools export` write (see src/tools/formats.ts for each shape). */
export const ToolFormatSchema = z.enum(["openai", "anthropic", "langchain", "mcp", "jsonschema"]);

const ListParam = (what: string, example: string) =>
  z.string().max(10_000).optional().describe(`Only these ${what}, comma-separated, e.g. ${example}`);

export const ToolsQuerySchema = z.object({
  format: ToolFormatSchema.default("jsonschema").describe("Tool-definition shape: openai, anthropic, langchain, mcp or jsonschema (provider-neutral)"),
  app: z.string().max(100).optional().describe("App name or id whose versions and connections the tools use (tenant keys; an app key always means its own app)"),
  integrations: ListParam("integrations (slugs)", "github,slack"),
  actions: ListParam("actions (globs on the action name or slug.action)", "issues.*,repos.get"),
  tags: ListParam("action tags", "issues"),
  intents: z
    .enum(["include", "replace", "exclude"])
    .default("include")
    .describe("Intents as tools (intent_<name>): beside the actions (include), instead of the actions bound to them (replace: one tool, not one per provider), or not at all (exclude)"),
});

export const ToolListSchema = z
  .object({
    format: ToolFormatSchema,
    count: z.number().int(),
    tools: z.array(z.record(z.string(), z.unknown())).describe("Tool definitions in the requested format, ordered by name"),
  })
  .meta({ id: "ToolList" });
export type ToolList = z.infer<typeof ToolListSchema>;

export const ToolCallBodySchema = z
  .object({
    name: z.string().min(1).max(200).describe("A tool name from GET /v1/tools, e.g. github__issues_create"),
    arguments: z.unknown().optional().describe("The tool's input: an object matching its input schema (default {})"),
    connection: z.string().min(1).max(200).optional().describe("A connection id (con_…) or the end user's id; without it, the app's connection that has no end user"),
    app: z.string().max(100).optional().describe("App name or id (tenant keys)"),
  })
  .meta({ id: "ToolCall" });
export type ToolCallBody = z.infer<typeof ToolCallBodySchema>;

/**
 * A call's outcome for a model. Failures a model can act on (unknown tool, bad arguments, no
 * connection, the upstream's error) are results with `isError` and a `content` text that says
 * what to do, as MCP's `CallToolResult` reports tool errors; only Waygate's own refusals of
 * the caller (key, app) are HTTP errors.
 */
export const ToolCallResultSchema = z
  .object({
    tool: z.string(),
    isError: z.boolean(),
    status: z.number().int().nullable().describe("The upstream's HTTP status, or Waygate's own when the call did not reach it; null for an unknown tool"),
    content: z.string().describe("The response body as text (JSON for JSON), cut to a size a model can read, or the error explained"),
    structured: z.unknown().describe("The parsed JSON body (success), or the problem details (error); null when there is none"),
    errorType: z.string().optional().describe("The problem type URI, on errors"),
    version: z.number().int().optional().describe("The integration version that ran"),
    truncated: z.boolean().describe("Whether content was cut"),
  })
  .meta({ id: "ToolCallResult" });
export type ToolCallResult = z.infer<typeof ToolCallResultSchema>;

/** What `/v1/mcp` reads besides the JSON-RPC body. */
export const McpHeadersSchema = z.object({
  origin: z.string().max(2000).optional().describe("Sent by browsers; when present it must be this server's own origin (DNS-rebinding protection, MCP transports spec)"),
  "x-waygate-app": z.string().min(1).max(100).optional().describe("App name or id (tenant keys)"),
  "x-waygate-user": z.string().min(1).max(200).optional().describe("The end user (or a connection id) whose connections tool calls use"),
  "mcp-protocol-version": z.string().max(50).optional(),
});

/** RFC 9728 §2. No `authorization_servers`: Waygate keys are issued by Waygate itself, not through OAuth. */
export const McpResourceMetadataSchema = z
  .object({
    resource: z.string(),
    resource_name: z.string(),
    bearer_methods_supported: z.array(z.string()),
    resource_documentation: z.string().optional(),
  })
  .meta({ id: "McpResourceMetadata" });
