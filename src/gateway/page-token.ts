import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { invalidPageToken } from "./problems.js";

/** Where the next page is: query parameters to set on the action's request, or (Link pagination) a whole URL. */
export type PageCursor = { kind: "query"; params: Record<string, string> } | { kind: "url"; url: string };

interface TokenPayload {
  v: 2;
  /** Who the token was issued to and for which integration (the server: tenant, app, integration id). */
  s: string[];
  /** The action. */
  a: string;
  c: PageCursor;
}

/**
 * Opaque next-page tokens: base64url JSON plus an HMAC-SHA256 tag, bound to a scope (the
 * server binds tenant, app and integration) and an action, so a token leaked from one
 * tenant or app is worthless to another. The tag stops a client from forging a token (for Link
 * pagination a token holds a URL: an unsigned one would be an SSRF primitive); the
 * gateway still checks a decoded URL against the baseUrl on reuse.
 */
export class PageTokens {
  private readonly key: Buffer;

  constructor(key?: string | Uint8Array) {
    this.key = key === undefined ? randomBytes(32) : Buffer.from(key);
  }

  encode(scope: readonly string[], action: string, cursor: PageCursor): string {
    const payload: TokenPayload = { v: 2, s: [...scope], a: action, c: cursor };
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${body}.${this.tag(body)}`;
  }

  decode(token: string, scope: readonly string[], action: string): PageCursor {
    const [body, tag, extra] = token.split(".");
    if (!body || !tag || extra !== undefined) throw invalidPageToken("the page token is malformed");
    const expected = Buffer.from(this.tag(body));
    const given = Buffer.from(tag);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalidPageToken("the page token was not issued by this gateway (or its key changed)");
    let payload: TokenPayload;
    try {
      payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TokenPayload;
    } catch {
      throw invalidPageToken("the page token is malformed");
    }
    if (payload.v !== 2 || !sameScope(payload.s, scope)) throw invalidPageToken("the page token was issued to another caller or integration");
    if (payload.a !== action) throw invalidPageToken("the page token belongs to another action");
    return payload.c;
  }

  private tag(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }
}

function sameScope(issued: unknown, scope: readonly string[]): boolean {
  return Array.isArray(issued) && issued.length === scope.length && issued.every((part, index) => part === scope[index]);
}
