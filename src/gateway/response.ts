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

/**
 * The body as the gateway reads it: `body` is null when empty, parsed JSON for JSON media
 * types, and a string for text. Anything not JSON also keeps its bytes and media type in
 * `raw`, so the caller gets it as the upstream sent it; `body` is then the text, or for
 * binary media types null (a `data:` URL in `dataUrl()` where bytes must travel inside
 * JSON). JSON that does not parse comes back as its text, flagged `malformedJson`.
 */
export interface DecodedBody {
  body: unknown;
  malformedJson: boolean;
  raw: RawBody | null;
}

export interface RawBody {
  bytes: Buffer;
  contentType: string;
}

export function decodeBody(bytes: Buffer, contentType: string | undefined): DecodedBody {
  if (bytes.length === 0) return { body: null, malformedJson: false, raw: null };
  const type = contentType ?? "";
  const essence = mediaEssence(type);
  if (isJsonMediaType(type) || essence === "application/problem+json") {
    const text = bytes.toString("utf8");
    try {
      return { body: JSON.parse(text) as unknown, malformedJson: false, raw: null };
    } catch {
      return { body: text, malformedJson: true, raw: { bytes, contentType: "text/plain; charset=utf-8" } };
    }
  }
  if (isTextual(essence)) return { body: bytes.toString("utf8"), malformedJson: false, raw: { bytes, contentType: type || "text/plain; charset=utf-8" } };
  return { body: null, malformedJson: false, raw: { bytes, contentType: type } };
}

/** Media types read as text: `text/*`, XML, JavaScript, forms and YAML; none given is taken as text too. */
export function isTextual(essence: string): boolean {
  return essence === "" || essence.startsWith("text/") || /(xml|javascript|x-www-form-urlencoded|yaml)/.test(essence);
}

/** RFC 2397: bytes inside JSON (upstream error bodies, tools). */
export function dataUrl(raw: RawBody): string {
  return `data:${mediaEssence(raw.contentType) || "application/octet-stream"};base64,${raw.bytes.toString("base64")}`;
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

  get empty(): boolean {
    return this.secrets.length === 0;
  }

  /**
   * Whether any secret occurs in `bytes` as sent: plain, percent-encoded, or with `/`
   * JSON-escaped as `\/`. Cheap enough to run on every response; only bodies that echo a
   * secret pay for a redacting copy.
   */
  occursIn(bytes: Buffer): boolean {
    for (const secret of this.secrets) {
      if (bytes.includes(secret)) return true;
      if (secret.includes("/") && bytes.includes(secret.replaceAll("/", "\\/"))) return true;
    }
    return false;
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
