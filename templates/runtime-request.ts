/**
 * The calls that are not an action's: raw calls (`wg.github.request("GET /path/{id}", input)`)
 * through `POST /v1/proxy/{integration}`, with the connection's credentials, and connect
 * sessions (`wg.connect.createSession()`). runtime.js loads this module with `import()` on the
 * first such call, so bundlers give it a chunk of its own.
 */
import { exchange, IDEMPOTENT_METHOD, type APIResponse, type Config, type RequestOptions } from "./runtime.js";

/** @internal A raw call: the route and input as `POST /v1/proxy/{integration}` takes them. */
export async function proxy(config: Config, slug: string, route: string, input: Record<string, unknown> | undefined, options: RequestOptions | undefined): Promise<APIResponse<unknown>> {
  const match = /^\s*(?:([A-Za-z]+)\s+)?(\/\S*)\s*$/.exec(route);
  const method = (match?.[1] ?? "GET").toUpperCase();
  if (!match || !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE)$/.test(method)) {
    throw new TypeError(`Waygate: ${JSON.stringify(route)} is not a route like "GET /repos/{owner}/{repo}"`);
  }
  const rest: Record<string, unknown> = { ...input };
  const path = (match[2] ?? "/").replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const value = rest[name];
    if (value === undefined || value === null) throw new TypeError(`Waygate: ${route} needs ${name} in its input`);
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  const body: Record<string, unknown> = { method, path };
  if (Object.keys(rest).length > 0) body[["GET", "HEAD", "DELETE"].includes(method) ? "query" : "body"] = rest;
  const safe = IDEMPOTENT_METHOD.test(method) || options?.idempotencyKey !== undefined;
  return await exchange(config, `${config.baseUrl}/v1/proxy/${encodeURIComponent(slug)}`, body, { label: `${slug} request ${method} ${path}`, safe, target: undefined, response: "" }, options);
}

/** @internal `wg.connect.createSession()`: `POST /v1/connect/sessions`, never repeated (each makes a link). */
export async function createSession(config: Config, input: object, options: RequestOptions | undefined): Promise<unknown> {
  return (await exchange(config, `${config.baseUrl}/v1/connect/sessions`, { ...input }, { label: "connect.createSession", safe: false, target: undefined, response: "" }, options)).data;
}
