import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { routes } from "../../../contract/index.js";
import { createMcpServer, serveMcp, type ToolBackend } from "../../../tools/mcp.js";
import type { NeutralTool } from "../../../tools/formats.js";
import { VERSION } from "../../../version.js";
import type { Context } from "../../context.js";

export interface McpOptions {
  app?: string;
  user?: string;
  integrations?: string;
  actions?: string;
  tags?: string;
  compact: "auto" | "on" | "off";
  compactThreshold?: number;
}

/**
 * Serves MCP on stdin/stdout until the client closes them. Tools come from the Waygate API
 * with the user's key (GET /v1/tools) and every call is POST /v1/tools/call, so the server
 * process holds no credentials but the Waygate key, and every rule of invoke applies.
 */
export async function run(context: Context, options: McpOptions): Promise<void> {
  const client = await context.client();
  const backend: ToolBackend = {
    list: async () =>
      (
        await client.call(routes.listTools, {
          query: { format: "jsonschema", app: options.app, integrations: options.integrations, actions: options.actions, tags: options.tags },
        })
      ).tools as unknown as NeutralTool[],
    call: async (name, args) => {
      try {
        return await client.call(routes.callTool, { body: { name, arguments: args, connection: options.user, app: options.app } });
      } catch (error) {
        // Waygate refused the caller itself (key revoked, app gone, server down): still a tool error the model can report.
        const detail = error instanceof Error ? error.message : String(error);
        return { tool: name, isError: true, status: null, content: `Waygate refused the call: ${detail}`, structured: null, truncated: false };
      }
    },
  };
  const server = createMcpServer(backend, { name: "waygate", version: VERSION, compact: options.compact, ...(options.compactThreshold ? { compactThreshold: options.compactThreshold } : {}) });
  context.io.err(`waygate MCP server on stdio${options.app ? ` for app ${options.app}` : ""}${options.user ? `, user ${options.user}` : ""}`);
  // The client closing our stdin ends the session (MCP stdio transport, "Shutdown"); the SDK's transport does not watch for it.
  context.io.stdinStream.once("end", () => void server.close());
  await serveMcp(server, new StdioServerTransport(context.io.stdinStream as NodeJS.ReadStream, context.io.stdoutStream as NodeJS.WriteStream));
}

/** Nothing: stdout belonged to the protocol. */
export function render(): void {}
