import type { Context, Hono } from "hono";
import type { z } from "zod";
import type { RouteInput, RouteOutput, RouteSpec } from "../contract/index.js";
import type { AppEnv } from "./env.js";
import { HttpError, validationError } from "./errors.js";
import { refuseUnstorableText } from "./storable.js";

/** A handler returns the route's value, or a Response when it sets status and headers itself (the gateway). */
export type Handler<R extends RouteSpec> = (c: Context<AppEnv>, input: RouteInput<R>) => Promise<RouteOutput<R> | WithStatus<RouteOutput<R>> | Response>;

/** A handler's value sent with another success status than the route's usual one. */
export class WithStatus<T> {
  constructor(
    readonly status: 200 | 201 | 202,
    readonly value: T,
  ) {}
}

/**
 * Registers a handler for a contract route: validates path, query, headers and body with the
 * route's schemas before the handler runs, and writes the handler's value with the
 * route's status. Handlers therefore only ever see valid input.
 */
export function mount<R extends RouteSpec>(app: Hono<AppEnv>, spec: R, handler: Handler<R>): void {
  const honoPath = honoPathOf(spec);
  app.on(spec.method.toUpperCase(), honoPath, async (c) => {
    if (spec.tenantOnly && c.get("auth")?.appId) {
      throw new HttpError("forbidden", "this route needs a tenant key; app keys cannot administer the tenant");
    }
    const input = {
      params: spec.params ? parse(spec.params, c.req.param(), "params") : {},
      query: spec.query ? parse(spec.query, c.req.query(), "query") : {},
      headers: spec.headers ? parse(spec.headers, declaredHeaders(c, spec.headers), "headers") : {},
      body: spec.body ? parse(spec.body, await readJson(c), "body") : undefined,
    } as RouteInput<R>;
    refuseUnstorableText(spec, input);
    const output = await handler(c, input);
    if (output instanceof Response) return output;
    if (spec.status === 204) return c.body(null, 204);
    if (output instanceof WithStatus) return c.json(output.value as object, output.status);
    return c.json(output as object, spec.status);
  });
}

/** The route's path as Hono matches it: `/v1/integrations/:slug` for `/v1/integrations/{slug}`. */
export function honoPathOf(spec: RouteSpec): string {
  return spec.path.replace(/\{(\w+)\}/g, ":$1");
}

/** Only the headers the route declares: reading them one by one spares building a record of every header. */
function declaredHeaders(c: Context<AppEnv>, schema: z.ZodObject): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = c.req.header(name);
    if (value !== undefined) found[name] = value;
  }
  return found;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, location: "params" | "query" | "headers" | "body"): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(location, result.error);
  return result.data;
}

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpError("unsupported-media-type", `send the body as application/json (got ${type ? `"${type}"` : "no content type"})`);
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : "unparseable";
    throw new HttpError("bad-request", `malformed JSON body: ${reason}`, [{ field: "body", message: reason }]);
  }
}
