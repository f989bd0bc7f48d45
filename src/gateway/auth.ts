import type { AuthScheme } from "../contract/integrations.js";
import { authMissing, connectionRequired } from "./problems.js";
import type { PreparedRequest } from "./request.js";
import { setQueryParam } from "./request.js";
import type { Connection, Credentials } from "./types.js";

/** Where a connection's credentials go: a scheme the integration declares, or the Authorization header when it declares none. */
export type AuthPlan =
  | { kind: "none" }
  | { kind: "apiKey"; name: string; in: "header" | "query" | "cookie" }
  | { kind: "authorization" };

const ACCEPTS: Record<Credentials["type"], AuthScheme["type"][]> = {
  apiKey: ["apiKey"],
  // RFC 6750: an OAuth access token is a bearer token, and a bearer token is what an oauth2 scheme expects.
  bearer: ["bearer", "oauth2"],
  oauth2: ["oauth2", "bearer"],
  basic: ["basic"],
};

/**
 * Picks how to authenticate. No connection: fine when the integration declares no
 * scheme, else connection-required (the caller's omission, not a failed credential). A connection whose kind no declared scheme accepts: 400. An
 * integration that declares nothing (e.g. GitHub's published spec) still gets bearer,
 * OAuth and basic credentials in the Authorization header; an API key needs a declared place.
 */
export function planAuth(schemes: readonly AuthScheme[], connection: Connection | null): AuthPlan {
  if (!connection) {
    if (schemes.length === 0) return { kind: "none" };
    throw connectionRequired(`this integration needs credentials (${describe(schemes)}) and the call named no connection: pass a connection id or the end user's id`);
  }
  const type = connection.credentials.type;
  if (schemes.length === 0) {
    if (type === "apiKey") throw authMissing(400, "the integration declares no API key location, so an apiKey connection cannot be used");
    return { kind: "authorization" };
  }
  const scheme = schemes.find((candidate) => ACCEPTS[type]?.includes(candidate.type));
  if (!scheme) throw authMissing(400, `the connection holds ${type} credentials but the integration accepts ${describe(schemes)}`);
  return scheme.type === "apiKey" ? { kind: "apiKey", name: scheme.name, in: scheme.in } : { kind: "authorization" };
}

function describe(schemes: readonly AuthScheme[]): string {
  return [...new Set(schemes.map((scheme) => scheme.type))].join(", ");
}

/** The secret strings of a credential, for redaction. */
export function secretsOf(credentials: Credentials): string[] {
  switch (credentials.type) {
    case "apiKey":
      return [credentials.key];
    case "bearer":
      return [credentials.token];
    case "basic":
      return [credentials.password, basicToken(credentials.username, credentials.password)];
    case "oauth2":
      return [credentials.accessToken, credentials.refreshToken ?? "", credentials.clientSecret ?? ""].filter((s) => s !== "");
  }
}

/** RFC 7617 §2: base64 of user-id ":" password; a user-id with ":" cannot be represented. */
function basicToken(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, "utf8").toString("base64");
}

/** A copy of `request` carrying the credentials. Values are checked for CR/LF without ever naming them in the problem. */
export function applyAuth(request: PreparedRequest, plan: AuthPlan, credentials: Credentials | null): PreparedRequest {
  if (plan.kind === "none" || !credentials) return request;
  for (const secret of secretsOf(credentials)) {
    if (/[\r\n\0]/.test(secret)) throw authMissing(400, "the connection's credentials contain a line break or NUL and cannot be sent");
  }
  const next: PreparedRequest = { ...request, url: new URL(request.url), headers: { ...request.headers }, cookies: [...request.cookies] };
  if (plan.kind === "apiKey") {
    const key = credentials.type === "apiKey" ? credentials.key : "";
    if (plan.in === "header") next.headers[plan.name.toLowerCase()] = key;
    else if (plan.in === "query") setQueryParam(next.url, plan.name, key);
    else next.cookies = [...next.cookies.filter(([name]) => name !== plan.name), [plan.name, encodeURIComponent(key)]];
    return next;
  }
  next.headers["authorization"] = authorization(credentials);
  return next;
}

function authorization(credentials: Credentials): string {
  switch (credentials.type) {
    case "basic":
      if (credentials.username.includes(":")) throw authMissing(400, "a basic-auth username may not contain ':' (RFC 7617)");
      return `Basic ${basicToken(credentials.username, credentials.password)}`;
    case "bearer":
      return `Bearer ${credentials.token}`;
    case "oauth2":
      return `Bearer ${credentials.accessToken}`;
    case "apiKey":
      return credentials.key;
  }
}
