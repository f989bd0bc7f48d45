import type { ToolDescriptor } from "./descriptor.js";

/**
 * One descriptor in each provider's tool-definition shape:
 *
 * - `openai`: Chat Completions `tools[]` entries, `{ type: "function", function: { name,
 *   description, parameters, strict: false } }`. Not strict mode: OpenAI's structured outputs
 *   require every object to list all its properties in `required` and to set
 *   `additionalProperties: false`, and refuse keywords such as `oneOf`, `allOf`,
 *   `patternProperties` and most `format`s; imported API schemas use all of these, and
 *   rewriting optional fields as required-but-nullable would change what the model sends.
 * - `anthropic`: Messages API `tools[]` entries, `{ name, description, input_schema }`.
 * - `langchain`: LangChain's `StructuredToolParams`, `{ name, description, schema }` with a
 *   JSON Schema, which `tool(fn, params)` from `@langchain/core/tools` and `bindTools` take;
 *   `fn` posts the arguments to `POST /v1/tools/call` (README "AI tools and MCP").
 * - `mcp`: MCP `Tool` objects as `tools/list` returns them, with `title` and `annotations`. No
 *   `outputSchema`: an MCP client validates `structuredContent` against it and fails the call
 *   when it does not match, and an imported output schema is what the docs promise, not what
 *   the API answers; a drifted field would turn a good answer into an error. The schema is in
 *   the `jsonschema` format.
 * - `jsonschema`: the provider-neutral descriptor: name, description, input and output schema,
 *   annotations, and which integration, version and action it calls.
 */
export const TOOL_FORMATS = ["openai", "anthropic", "langchain", "mcp", "jsonschema"] as const;
export type ToolFormat = (typeof TOOL_FORMATS)[number];

export function formatTool(tool: ToolDescriptor, format: ToolFormat): Record<string, unknown> {
  switch (format) {
    case "openai":
      return { type: "function", function: { name: tool.name, description: tool.description, parameters: tool.inputSchema, strict: false } };
    case "anthropic":
      return { name: tool.name, description: tool.description, input_schema: tool.inputSchema };
    case "langchain":
      return { name: tool.name, description: tool.description, schema: tool.inputSchema };
    case "mcp":
      return mcpTool(tool);
    case "jsonschema":
      return neutralTool(tool);
  }
}

export function mcpTool(tool: Pick<ToolDescriptor, "name" | "description" | "inputSchema" | "annotations">): Record<string, unknown> {
  return { name: tool.name, title: tool.annotations.title, description: tool.description, inputSchema: tool.inputSchema, annotations: tool.annotations };
}

/** The provider-neutral shape (`jsonschema`), which is also what the MCP server works from. */
export type NeutralTool = Pick<ToolDescriptor, "name" | "description" | "inputSchema" | "outputSchema" | "annotations" | "integration" | "version" | "action" | "method" | "path">;

export function neutralTool(tool: ToolDescriptor): NeutralTool {
  // Spelled out rather than spread: a field added to the descriptor is not exported by accident.
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
    integration: tool.integration,
    version: tool.version,
    action: tool.action,
    method: tool.method,
    path: tool.path,
  };
}
