import type { AuthScheme } from "../contract/integrations.js";
import { canonicalJson } from "../lib/canonical-json.js";
import type { Warnings } from "./problem.js";
import type { ImportLocation } from "./types.js";
import { asString, entries, isRecord, setKey } from "./util.js";
import type { JsonObject } from "./util.js";

type OAuthFlows = Extract<AuthScheme, { type: "oauth2" }>["flows"];
type OAuthFlow = NonNullable<OAuthFlows["authorizationCode"]>;

const MAX_SCHEMES = 20;

/** OpenAPI 3.x `components.securitySchemes` (3.1.0 §4.8.27). */
export function authFromOpenApi3(securitySchemes: unknown, warnings: Warnings, where: (name: string) => ImportLocation): AuthScheme[] {
  const schemes: AuthScheme[] = [];
  for (const [name, raw] of entries(securitySchemes)) {
    if (!isRecord(raw)) continue;
    const type = asString(raw["type"]);
    if (type === "apiKey") {
      const scheme = apiKey(raw);
      if (scheme) schemes.push(scheme);
      else warnings.add("unsupported_auth", `security scheme "${name}": apiKey needs "name" and "in" (header, query or cookie)`, where(name));
    } else if (type === "http") {
      const httpScheme = (asString(raw["scheme"]) ?? "").toLowerCase();
      if (httpScheme === "bearer") {
        const format = asString(raw["bearerFormat"]);
        schemes.push(format === undefined ? { type: "bearer" } : { type: "bearer", bearerFormat: format });
      } else if (httpScheme === "basic") schemes.push({ type: "basic" });
      else warnings.add("unsupported_auth", `security scheme "${name}": HTTP "${httpScheme}" authentication is not supported`, where(name));
    } else if (type === "oauth2") {
      const flows = raw["flows"];
      const mapped: OAuthFlows = {};
      for (const key of ["authorizationCode", "clientCredentials", "implicit", "password"] as const) {
        const flow = isRecord(flows) ? flows[key] : undefined;
        if (isRecord(flow)) mapped[key] = oauthFlow(flow["authorizationUrl"], flow["tokenUrl"], flow["refreshUrl"], flow["scopes"]);
      }
      schemes.push({ type: "oauth2", flows: mapped });
    } else if (type === "openIdConnect") {
      warnings.add(
        "unsupported_auth",
        `security scheme "${name}": OpenID Connect discovery (${asString(raw["openIdConnectUrl"]) ?? "no URL"}) is not imported; configure OAuth 2 by hand`,
        where(name),
      );
    } else {
      warnings.add("unsupported_auth", `security scheme "${name}": type ${JSON.stringify(type ?? null)} is not supported`, where(name));
    }
  }
  return dedupe(schemes, warnings);
}

/** Swagger 2.0 `securityDefinitions` (§Security Definitions Object). */
export function authFromSwagger2(definitions: unknown, warnings: Warnings, where: (name: string) => ImportLocation): AuthScheme[] {
  const schemes: AuthScheme[] = [];
  for (const [name, raw] of entries(definitions)) {
    if (!isRecord(raw)) continue;
    const type = asString(raw["type"]);
    if (type === "basic") schemes.push({ type: "basic" });
    else if (type === "apiKey") {
      const scheme = apiKey(raw);
      if (scheme) schemes.push(scheme);
      else warnings.add("unsupported_auth", `security definition "${name}": apiKey needs "name" and "in"`, where(name));
    } else if (type === "oauth2") {
      // Swagger's flow names map onto OpenAPI 3's (`application` = client credentials, `accessCode` = authorization code).
      const flow = oauthFlow(raw["authorizationUrl"], raw["tokenUrl"], undefined, raw["scopes"]);
      const key = ({ implicit: "implicit", password: "password", application: "clientCredentials", accessCode: "authorizationCode" } as const)[
        asString(raw["flow"]) as "implicit" | "password" | "application" | "accessCode"
      ];
      if (key) schemes.push({ type: "oauth2", flows: { [key]: flow } });
      else warnings.add("unsupported_auth", `security definition "${name}": unknown OAuth 2 flow ${JSON.stringify(raw["flow"])}`, where(name));
    } else warnings.add("unsupported_auth", `security definition "${name}": type ${JSON.stringify(type ?? null)} is not supported`, where(name));
  }
  return dedupe(schemes, warnings);
}

/** Postman `auth` objects (collection v2.1 schema, `auth` definition): params are `[{ key, value }]` lists. */
export function authFromPostman(auth: unknown, warnings: Warnings, location: ImportLocation): AuthScheme | "none" | null {
  if (!isRecord(auth)) return null;
  const type = asString(auth["type"]);
  const params = new Map<string, string>();
  const list = type !== undefined ? auth[type] : undefined;
  if (Array.isArray(list)) {
    for (const item of list) if (isRecord(item) && typeof item["key"] === "string") params.set(item["key"], typeof item["value"] === "string" ? item["value"] : "");
  }
  switch (type) {
    case "noauth":
      return "none";
    case "bearer":
      return { type: "bearer" };
    case "basic":
      return { type: "basic" };
    case "apikey": {
      const where = (params.get("in") ?? "header").toLowerCase();
      return { type: "apiKey", name: params.get("key") || "X-API-Key", in: where === "query" ? "query" : "header" };
    }
    case "oauth2": {
      const grant = params.get("grant_type") ?? "authorization_code";
      const flow = oauthFlow(params.get("authUrl"), params.get("accessTokenUrl"), params.get("refreshTokenUrl"), undefined, params.get("scope"));
      const key = grant === "client_credentials" ? "clientCredentials" : grant === "implicit" ? "implicit" : grant.startsWith("password") ? "password" : "authorizationCode";
      return { type: "oauth2", flows: { [key]: flow } };
    }
    default:
      warnings.add("unsupported_auth", `Postman auth type ${JSON.stringify(type ?? null)} is not supported`, location);
      return null;
  }
}

function apiKey(raw: JsonObject): AuthScheme | null {
  const name = asString(raw["name"]);
  const where = asString(raw["in"]);
  if (!name || (where !== "header" && where !== "query" && where !== "cookie")) return null;
  return { type: "apiKey", name, in: where };
}

function oauthFlow(authorizationUrl: unknown, tokenUrl: unknown, refreshUrl: unknown, scopes: unknown, spaceSeparatedScopes?: string): OAuthFlow {
  const flow: OAuthFlow = { scopes: {} };
  if (typeof authorizationUrl === "string" && authorizationUrl) flow.authorizationUrl = authorizationUrl;
  if (typeof tokenUrl === "string" && tokenUrl) flow.tokenUrl = tokenUrl;
  if (typeof refreshUrl === "string" && refreshUrl) flow.refreshUrl = refreshUrl;
  for (const [scope, description] of entries(scopes)) setKey(flow.scopes, scope, typeof description === "string" ? description : "");
  for (const scope of (spaceSeparatedScopes ?? "").split(/\s+/)) if (scope) setKey(flow.scopes, scope, "");
  return flow;
}

/** Identical schemes once, at most 20 (the contract's limit), in document order. */
export function dedupe(schemes: AuthScheme[], warnings: Warnings): AuthScheme[] {
  const seen = new Set<string>();
  const out: AuthScheme[] = [];
  for (const scheme of schemes) {
    const key = canonicalJson(scheme);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(scheme);
  }
  if (out.length > MAX_SCHEMES) {
    warnings.add("too_many_auth_schemes", `${out.length} auth schemes declared; kept the first ${MAX_SCHEMES}`);
    return out.slice(0, MAX_SCHEMES);
  }
  return out;
}

/** Header names that carry an API key by convention (`X-API-Key`, `api-key`, `X-Auth-Token`, Azure's `Ocp-Apim-Subscription-Key`…). */
const API_KEY_HEADER = /^(x-)?(api[-_]?key|apikey|api[-_]?token|auth[-_]?token|access[-_]?token|[a-z]+-api-key|ocp-apim-subscription-key|subscription-key)$/i;

/**
 * The auth a request shows in one header it sends (Postman requests, curl examples on docs
 * pages): `Authorization: Bearer …` is bearer, `Basic …` basic, any other Authorization value
 * (`Token …`, `Bot …`, a bare `{{token}}`) an API key sent as that header; conventional API-key
 * header names are API keys. Null when the header is not about auth.
 */
export function authFromHeader(name: string, value: string): AuthScheme | null {
  const trimmed = value.trim();
  if (name.toLowerCase() === "authorization") {
    if (/^bearer(\s|$)/i.test(trimmed)) return { type: "bearer" };
    if (/^basic(\s|$)/i.test(trimmed)) return { type: "basic" };
    return { type: "apiKey", name: "Authorization", in: "header" };
  }
  if (API_KEY_HEADER.test(name)) return { type: "apiKey", name, in: "header" };
  return null;
}

/**
 * One auth choice per request → the integration's schemes, most used first: a token endpoint
 * using basic auth must not outvote 36 requests sending bearer tokens. `unverified` when the
 * requests disagree and some of them were only inferred from headers.
 */
export function authByMajority(votes: readonly { scheme: AuthScheme; inferred: boolean }[]): { schemes: AuthScheme[]; unverified: boolean } {
  const tally = new Map<string, { scheme: AuthScheme; count: number; first: number }>();
  votes.forEach((vote, index) => {
    const key = canonicalJson(vote.scheme);
    const entry = tally.get(key);
    if (entry) entry.count++;
    else tally.set(key, { scheme: vote.scheme, count: 1, first: index });
  });
  const ranked = [...tally.values()].sort((a, b) => b.count - a.count || a.first - b.first);
  return { schemes: ranked.map((entry) => entry.scheme), unverified: ranked.length > 1 && votes.some((vote) => vote.inferred) };
}
