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
 * - `mcp`: MCP `Tool` objects as `tools/list` returns them, with `annotations` and, when the
 *   action answers a JSON object, `outputSchema` (MCP requires an object schema there).
 * - `jsonschema`: the provider-neutral descriptor: name, description, input and output schema,
 *   annotations, and which integration, version and action it calls.
 */
export const TOOL_FORMATS = ["openai", "anthropic", "mcp", "jsonschema"] as const;
export type ToolFormat = (typeof TOOL_FORMATS)[number];

export function formatTool(tool: ToolDescriptor, format: ToolFormat): Record<string, unknown> {
  switch (format) {
    case "openai":
      return { type: "function", function: { name: tool.name, description: tool.description, parameters: tool.inputSchema, strict: false } };
    case "anthropic":
      return { name: tool.name, description: tool.description, input_schema: tool.inputSchema };
    case "mcp":
      return mcpTool(tool);
    case "jsonschema":
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
}

export function mcpTool(tool: ToolDescriptor): Record<string, unknown> {
  return {
    name: tool.name,
    title: tool.annotations.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema && tool.outputSchema.type === "object" ? { outputSchema: tool.outputSchema } : {}),
    annotations: tool.annotations,
  };
}
