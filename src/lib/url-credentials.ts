/**
 * Credentials written into URLs: `user:pass@host` (RFC 3986 §3.2.1, deprecated for
 * exactly this reason) and query parameters that carry keys or tokens (`?access_token=`,
 * `?api_key=`, `?token=`, `?key=`, signed-URL signatures). A docs URL may carry them; what
 * is shown or kept in clear must not.
 */

/** Query parameter names that carry a secret, by the words they are made of. */
const SECRET_PARAM = /(token|key|secret|passw|pwd|auth|sig|credential|session|jwt|code)/i;

export const REDACTED = "[redacted]";

export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

export interface UrlCredentials {
  /** The URL without its user info (which becomes `basic`); secret query parameters stay: the server expects them. */
  url: string;
  /** The URL as it may be shown and stored: no user info, secret parameter values replaced by [redacted]. */
  display: string;
  /** `user:pass@` of the URL, for an `Authorization: Basic` header (RFC 7617). */
  basic: { username: string; password: string } | null;
  /** Every secret value found, raw and decoded, for redacting them from messages. */
  secrets: string[];
}

/** Splits a URL into what may be shown and what must be kept sealed. A string that is no URL is returned as it is. */
export function splitUrlCredentials(raw: string): UrlCredentials {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { url: raw, display: raw, basic: null, secrets: [] };
  }
  const secrets: string[] = [];
  let basic: UrlCredentials["basic"] = null;
  if (url.username || url.password) {
    basic = { username: safeDecode(url.username), password: safeDecode(url.password) };
    secrets.push(url.username, url.password, basic.username, basic.password);
    url.username = "";
    url.password = "";
  }
  const stripped = url.href;
  const display = new URL(stripped);
  display.search = redactQuery(url.search, secrets);
  return { url: stripped, display: display.href, basic, secrets: secrets.filter((secret) => secret !== "") };
}

/** The URL with its credentials hidden, for showing (links found on a docs page, for one). */
export function displayUrl(raw: string): string {
  return splitUrlCredentials(raw).display;
}

/** `?a=1&token=x` → `?a=1&token=[redacted]`, recording the secret values. Written by hand: URLSearchParams would re-encode every other parameter. */
function redactQuery(search: string, secrets: string[]): string {
  if (search.length <= 1) return search;
  const parts = search.slice(1).split("&").map((part) => {
    const equals = part.indexOf("=");
    if (equals < 0) return part;
    const name = safeDecode(part.slice(0, equals).replace(/\+/g, " "));
    if (!isSecretParam(name)) return part;
    const value = part.slice(equals + 1);
    secrets.push(value, safeDecode(value.replace(/\+/g, " ")));
    return `${part.slice(0, equals)}=${REDACTED}`;
  });
  return `?${parts.join("&")}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
