import { z } from "zod";
import { ProblemSchema } from "./problem.js";
import { routes, type RouteSpec } from "./routes.js";

type JsonObject = Record<string, unknown>;

const COMPONENTS = "#/components/schemas/";

/** The server's own OpenAPI 3.1 document, derived from the route table. */
export function buildOpenApiDocument(version: string): JsonObject {
  const schemas: Record<string, unknown> = {};
  const paths: Record<string, Record<string, unknown>> = {};

  // Named schemas become components; nested `$defs` from zod are lifted there too.
  const toSchema = (schema: z.ZodType, io: "input" | "output"): unknown => {
    const suffix = io === "input" ? "Input" : "";
    const converted = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any", reused: "inline" }) as JsonObject;
    const { $defs, $schema: _schema, ...rest } = converted;
    for (const [name, def] of Object.entries(($defs ?? {}) as JsonObject)) schemas[name + suffix] = rewriteRefs(def, suffix);
    const id = z.globalRegistry.get(schema)?.id;
    if (id) {
      schemas[id + suffix] = rewriteRefs(rest, suffix);
      return { $ref: COMPONENTS + id + suffix };
    }
    return rewriteRefs(rest, suffix);
  };

  const problem = toSchema(ProblemSchema, "output");
  for (const spec of Object.values(routes) as RouteSpec[]) {
    const operation: JsonObject = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [spec.tag],
      ...(spec.auth ? {} : { security: [] }),
      parameters: [
        ...parametersOf(spec.params, "path", toSchema),
        ...parametersOf(spec.query, "query", toSchema),
        ...parametersOf(spec.headers, "header", toSchema),
      ],
      ...(spec.body
        ? { requestBody: { required: true, content: { "application/json": { schema: toSchema(spec.body, "input") } } } }
        : spec.rawBody
          ? { requestBody: { required: true, description: spec.rawBody.description, content: Object.fromEntries(spec.rawBody.mediaTypes.map((type) => [type, {}])) } }
          : {}),
      responses: {
        [String(spec.status)]: {
          ...(spec.events
            ? { description: spec.events.description, content: { "text/event-stream": { schema: toSchema(spec.events.schema, "output") } } }
            : spec.response
              ? { description: "Success", content: { "application/json": { schema: toSchema(spec.response, "output") } } }
              : { description: "Success, no content" }),
          headers: responseHeadersOf(spec),
        },
        default: { description: "A problem (RFC 9457)", content: { "application/problem+json": { schema: problem } } },
      },
    };
    (paths[spec.path] ??= {})[spec.method] = operation;
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Waygate API",
      version,
      description: "Versioned, typed integrations behind one gateway. Authenticate with `Authorization: Bearer <key>`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A wg_tenant_… or wg_app_… key" } },
    },
  };
}

function parametersOf(
  schema: z.ZodObject | undefined,
  location: "path" | "query" | "header",
  toSchema: (schema: z.ZodType, io: "input" | "output") => unknown,
): JsonObject[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, member]) => {
    const memberSchema = member as z.ZodType;
    const description = z.globalRegistry.get(memberSchema)?.description;
    return {
      name,
      in: location,
      required: location === "path" || !memberSchema.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: toSchema(memberSchema, "input"),
    };
  });
}

/** `x-request-id` on every response, then what the route declares. */
function responseHeadersOf(spec: RouteSpec): JsonObject {
  const declared: Record<string, string> = { "x-request-id": "This request's id: the caller's X-Request-Id when well-formed, else one the server made", ...spec.responseHeaders };
  return Object.fromEntries(Object.entries(declared).map(([name, description]) => [name, { description, schema: { type: "string" } }]));
}

function rewriteRefs(value: unknown, suffix: string): unknown {
  return JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, (_m, name: string) => `"${COMPONENTS}${name}${suffix}"`));
}
