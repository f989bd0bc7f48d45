import type { AuthScheme, CreatedIntegration } from "../../../contract/index.js";
import { describeAuthSchemes, routes } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export interface SetAuthOptions {
  slug: string;
  type: "none" | AuthScheme["type"];
  /** apiKey: the header, query parameter or cookie that carries the key. */
  name?: string;
  in?: "header" | "query" | "cookie";
  bearerFormat?: string;
  /** oauth2 */
  flow?: "clientCredentials" | "authorizationCode";
  tokenUrl?: string;
  authorizationUrl?: string;
  scopes?: string[];
}

/** A new current version that authenticates as told: the fix for a scrape that guessed the auth wrong. */
export async function run(context: Context, options: SetAuthOptions): Promise<CreatedIntegration> {
  const schemes = options.type === "none" ? [] : [scheme(options)];
  return (await context.client()).call(routes.setAuth, { params: { slug: options.slug }, body: { authSchemes: schemes } });
}

/** Builds the one scheme the flags describe, refusing flags that belong to another type. */
function scheme(options: SetAuthOptions): AuthScheme {
  const given = (flags: Array<[string, unknown]>) => flags.filter(([, value]) => value !== undefined).map(([flag]) => flag);
  const refuse = (flags: string[]) => {
    if (flags.length > 0) throw new UsageError(`${flags.join(", ")} ${flags.length === 1 ? "does" : "do"} not apply to --type ${options.type}`);
  };
  const apiKeyFlags = given([["--name", options.name], ["--in", options.in]]);
  const oauthFlags = given([["--flow", options.flow], ["--token-url", options.tokenUrl], ["--authorization-url", options.authorizationUrl], ["--scopes", options.scopes]]);
  const bearerFlags = given([["--bearer-format", options.bearerFormat]]);
  switch (options.type) {
    case "apiKey":
      refuse([...oauthFlags, ...bearerFlags]);
      if (!options.name) throw new UsageError("--type apiKey needs --name: the header, query parameter or cookie that carries the key");
      return { type: "apiKey", name: options.name, in: options.in ?? "header" };
    case "bearer":
      refuse([...apiKeyFlags, ...oauthFlags]);
      return options.bearerFormat ? { type: "bearer", bearerFormat: options.bearerFormat } : { type: "bearer" };
    case "basic":
      refuse([...apiKeyFlags, ...oauthFlags, ...bearerFlags]);
      return { type: "basic" };
    case "oauth2": {
      refuse([...apiKeyFlags, ...bearerFlags]);
      const flow = options.flow ?? (options.authorizationUrl ? "authorizationCode" : "clientCredentials");
      if (!options.tokenUrl) throw new UsageError("--type oauth2 needs --token-url");
      if (flow === "authorizationCode" && !options.authorizationUrl) throw new UsageError("--flow authorizationCode needs --authorization-url");
      const scopes = Object.fromEntries((options.scopes ?? []).map((scope) => [scope, ""]));
      return {
        type: "oauth2",
        flows: { [flow]: { tokenUrl: options.tokenUrl, ...(options.authorizationUrl ? { authorizationUrl: options.authorizationUrl } : {}), scopes } },
      };
    }
    default:
      throw new UsageError(`--type must be one of none, apiKey, bearer, basic, oauth2`);
  }
}

export function render(result: CreatedIntegration, io: IO): void {
  const { slug, authSchemes } = result.integration;
  const auth = authSchemes.length === 0 ? "no credentials" : describeAuthSchemes(authSchemes);
  io.out(
    result.created
      ? `${slug} version ${result.version} authenticates with ${auth}; it is current (apps pinned to earlier versions stay on them).`
      : `${slug} already authenticates with ${auth} (version ${result.version}).`,
  );
}
