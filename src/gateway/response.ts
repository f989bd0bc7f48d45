import { isJsonMediaType, mediaEssence } from "./body.js";

/**
 * Response headers worth passing on: representation metadata (RFC 9110 §8), caching
 * validators, pagination (RFC 8288 Link), rate-limit state and Retry-After. Everything
 * else (Set-Cookie, internal tracing, server software) stays behind the gateway.
 */
const SAFE = new Set(["content-type", "content-language", "etag", "last-modified", "link", "location", "retry-after", "ratelimit", "ratelimit-policy", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used", "x-ratelimit-resource"]);

export function safeHeaders(headers: Record<string, string>, redact: Redactor): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (SAFE.has(name)) safe[name] = redact.text(value);
  return safe;
}

export type DecodedBody = { body: unknown; malformedJson: boolean };

/**
 * The body as the caller gets it: null when empty, parsed JSON for JSON media types, a
 * string for text, and a `data:` URL (RFC 2397, base64) for anything binary, which is how
 * bytes travel inside a JSON response. JSON that does not parse comes back as its text.
 */
export function decodeBody(bytes: Buffer, contentType: string | undefined): DecodedBody {
  if (bytes.length === 0) return { body: null, malformedJson: false };
  const type = contentType ?? "";
  const essence = mediaEssence(type);
  if (isJsonMediaType(type) || essence === "application/problem+json") {
    const text = bytes.toString("utf8");
    try {
      return { body: JSON.parse(text) as unknown, malformedJson: false };
    } catch {
      return { body: text, malformedJson: true };
    }
  }
  if (essence === "" || essence.startsWith("text/") || /(xml|javascript|x-www-form-urlencoded|yaml)/.test(essence)) return { body: bytes.toString("utf8"), malformedJson: false };
  return { body: `data:${essence};base64,${bytes.toString("base64")}`, malformedJson: false };
}

/**
 * Replaces a connection's secrets wherever the gateway repeats upstream text: returned
 * headers (a Link may echo an API key sent in the query), upstream error bodies (some
 * echo the credential they refused), warnings and problem details.
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: readonly string[]) {
    const all = new Set<string>();
    for (const secret of secrets) {
      // Short values would redact ordinary text; real secrets are longer.
      if (secret.length < 4) continue;
      all.add(secret);
      all.add(encodeURIComponent(secret));
    }
    this.secrets = [...all].sort((a, b) => b.length - a.length);
  }

  /** This redactor's secrets and `more` (tokens a refresh brought in the middle of a call). */
  with(more: readonly string[]): Redactor {
    return new Redactor([...this.secrets, ...more]);
  }

  text(value: string): string {
    let result = value;
    for (const secret of this.secrets) if (result.includes(secret)) result = result.split(secret).join("[redacted]");
    return result;
  }

  /** A copy of a parsed JSON value with every string redacted (keys too). */
  json(value: unknown): unknown {
    if (this.secrets.length === 0) return value;
    if (typeof value === "string") return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.json(item));
    if (typeof value === "object" && value !== null) {
      const copy: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(value)) Object.defineProperty(copy, this.text(key), { value: this.json(member), enumerable: true, writable: true, configurable: true });
      return copy;
    }
    return value;
  }
}
