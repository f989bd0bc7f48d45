import type { Context, Hono } from "hono";
import { routes } from "../../contract/index.js";
import type { Caller } from "../../services/invoke.js";
import { formatTool, neutralTool } from "../../tools/formats.js";
import type { ToolBackend } from "../../tools/mcp.js";
import { splitList } from "../../tools/select.js";
import type { ToolService } from "../../tools/service.js";
import { actingApp, findApp } from "../apps.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";

export interface ToolRouteOptions {
  version: string;
  /** The server's public URL; default: the origin each request came to. */
  publicUrl?: string | undefined;
}

/** AI tools over HTTP: the ToolService does the work; this module reads the caller and writes the result. */
export function mountToolRoutes(app: Hono<AppEnv>, tools: ToolService, options: ToolRouteOptions): void {
  mount(app, routes.listTools, async (c, { query }) => {
    const caller = await callerOf(c, query.app);
    const outcome = await tools.tools(caller, { integrations: splitList(query.integrations), actions: splitList(query.actions), tags: splitList(query.tags), intents: query.intents });
    if (outcome.kind === "missing") throw notFound(`a published version of integration "${outcome.slug}"`);
    return { format: query.format, count: outcome.tools.length, tools: outcome.tools.map((tool) => formatTool(tool, query.format)) };
  });

  mount(app, routes.callTool, async (c, { body }) => {
    const caller = await callerOf(c, body.app);
    return tools.call(caller, { name: body.name, arguments: body.arguments, connection: body.connection, signal: c.req.raw.signal });
  });

  /**
   * Remote MCP (Streamable HTTP, MCP 2025-11-25 "Transports"), stateless: each POST gets a
   * fresh server for the caller the key names, and JSON responses rather than SSE streams,
   * so any server behind a load balancer can answer any request.
   */
  mount(app, routes.mcp, async (c, { headers, body }) => {
    // DNS rebinding: a web page may not drive this endpoint from the user's browser (MCP "Security Warning").
    const own = publicOrigin(c, options.publicUrl);
    if (headers.origin !== undefined && headers.origin !== own) throw new HttpError("forbidden", `Origin ${headers.origin} may not call /v1/mcp; only ${own} may`);
    const caller = await callerOf(c, headers["x-waygate-app"]);
    const backend: ToolBackend = {
      list: async () => {
        const outcome = await tools.tools(caller);
        // The same neutral descriptors `waygate mcp` gets from GET /v1/tools, so both servers describe tools alike.
        return outcome.kind === "tools" ? outcome.tools.map(neutralTool) : [];
      },
      call: (name, args) => tools.call(caller, { name, arguments: args, connection: headers["x-waygate-user"], signal: c.req.raw.signal }),
    };
    // The MCP SDK loads on the first MCP request only.
    const [{ createMcpServer }, { WebStandardStreamableHTTPServerTransport }] = await Promise.all([
      import("../../tools/mcp.js"),
      import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"),
    ]);
    const server = createMcpServer(backend, { name: "waygate", version: options.version });
    // No sessionIdGenerator: stateless mode.
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw, { parsedBody: body });
    } finally {
      await server.close();
    }
  });

  // A stateless server offers no server-to-client stream and no session to end (MCP Transports: 405 is the answer).
  app.on(["GET", "DELETE"], routes.mcp.path, (c) => c.body(null, 405, { allow: "POST" }));

  mount(app, routes.mcpResourceMetadata, async (c) => {
    const base = options.publicUrl?.replace(/\/+$/, "") ?? new URL(c.req.url).origin;
    return { resource: `${base}${routes.mcp.path}`, resource_name: "Waygate", bearer_methods_supported: ["header"] };
  });
}

/** An app key acts for its own app; a tenant key for the app it names (`app`, else X-Waygate-App), else for the tenant. */
async function callerOf(c: Context<AppEnv>, named: string | undefined): Promise<Caller> {
  const auth = c.get("auth");
  const acting = named !== undefined && auth.appId === null ? await findApp(c, named) : await actingApp(c);
  return { tenantId: auth.tenantId, appId: acting?.id ?? null };
}

function publicOrigin(c: Context<AppEnv>, publicUrl: string | undefined): string {
  return new URL(publicUrl ?? c.req.url).origin;
}
