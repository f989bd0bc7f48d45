import type { Context, Next } from "hono";
import type { AppEnv } from "./env.js";
import { HttpError } from "./errors.js";

/**
 * The bytes of documents being received and parsed at once, over every request of this
 * server. Sixteen concurrent 63 MB uploads once took a server to 2.1 GB; past the budget an
 * upload is refused with 503 and Retry-After instead, before its body is read.
 */
export class UploadBudget {
  private inFlight = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError("the upload budget must be a positive number of bytes");
  }

  get used(): number {
    return this.inFlight;
  }

  /** A share of the budget for one request, given back with `release()`. */
  reserve(): UploadReservation {
    let held = 0;
    return {
      grow: (bytes) => {
        // An upload alone is always let in, so that every document within the per-document
        // limit can be sent, even where the operator set the budget below that limit.
        const others = this.inFlight - held;
        if (others > 0 && this.inFlight + bytes > this.capacity) return false;
        this.inFlight += bytes;
        held += bytes;
        return true;
      },
      release: () => {
        this.inFlight -= held;
        held = 0;
      },
    };
  }
}

export interface UploadReservation {
  /** Takes `bytes` more; false (taking nothing) when the budget has no room for them. */
  grow(bytes: number): boolean;
  release(): void;
}

/** Seconds a refused upload is told to wait (RFC 9110 §10.2.3). */
export const UPLOAD_RETRY_AFTER_SECONDS = 2;

/**
 * A refused body is left unread, so the connection cannot carry another request: saying
 * so keeps clients from reusing it (RFC 9112 §9.6).
 */
export const CLOSE = { Connection: "close" };

/**
 * Middleware for a route that receives a document: holds its body to `limit` bytes and to
 * the server's budget while the route runs. A declared Content-Length is checked and
 * reserved before anything is read; a body of undeclared length is counted chunk by chunk as
 * the route reads it, so the route can stream it without ever holding it whole.
 */
export async function meterUpload(c: Context<AppEnv>, next: Next, options: { limit: number; budget: UploadBudget; what: string }): Promise<void> {
  const { limit, budget } = options;
  const reservation = budget.reserve();
  try {
    const length = c.req.header("content-length");
    const declared = length === undefined || c.req.header("transfer-encoding") !== undefined ? undefined : parseLength(length);
    if (declared !== undefined && declared > limit) throw tooLarge(options.what, limit);
    if (declared !== undefined && !reservation.grow(declared)) throw busy();
    const body = c.req.raw.body;
    if (body) {
      let counted = 0;
      const metered = body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, controller) => {
            counted += chunk.byteLength;
            if (counted > limit) return controller.error(tooLarge(options.what, limit));
            if (declared === undefined && !reservation.grow(chunk.byteLength)) return controller.error(busy());
            controller.enqueue(chunk);
          },
        }),
      );
      c.req.raw = new Request(c.req.url, { method: c.req.method, headers: c.req.raw.headers, body: metered, duplex: "half", signal: c.req.raw.signal } as RequestInit);
    }
    await next();
  } finally {
    reservation.release();
  }
}

function parseLength(value: string): number {
  if (!/^\d+$/.test(value)) throw new HttpError("bad-request", "the Content-Length header is not a number");
  return Number(value);
}

function tooLarge(what: string, limit: number): HttpError {
  return new HttpError("payload-too-large", `${what} are limited to ${limit} bytes`, undefined, CLOSE);
}

function busy(): HttpError {
  return new HttpError(
    "server-busy",
    "the server is receiving as many documents as it takes at once (--max-upload-bytes-in-flight); try again shortly",
    undefined,
    { ...CLOSE, "Retry-After": String(UPLOAD_RETRY_AFTER_SECONDS) },
  );
}
