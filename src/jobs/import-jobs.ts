import { createHash } from "node:crypto";
import type { CrawlSettings, ImportRequest, Job } from "../contract/index.js";
import { splitUrlCredentials } from "../lib/url-credentials.js";
import { newJobId, type Store } from "../store/index.js";
import type { JobQueue } from "./queue.js";
import { sealContext, type ImportPayload, type ImportSettings, type SealedUrlSource } from "./handlers/import-payload.js";

/** How an import job is started, whatever the document came as. */
export interface ImportJobOptions {
  slug?: string | undefined;
  name?: string | undefined;
  format: ImportRequest["format"];
  draft: boolean;
  serverUrl?: string | undefined;
  serverVariables?: Record<string, string> | undefined;
  allowDanglingRefs?: boolean | undefined;
  /** Make the version current even when it breaks the current one (see ImportRequest.publish). */
  publish?: boolean | undefined;
  /** The enqueuing server's setting: the job never reaches further than it. */
  privateImports: boolean;
  /** URL imports only: how to crawl a docs site (absent: the defaults; false: the page alone). */
  crawl?: CrawlSettings | false | undefined;
}

/**
 * Queues the import of a docs URL. What the job list shows and the database keeps is the
 * URL without its credentials; the real URL (when it had any) and the request headers are
 * sealed with the store's key, and user info becomes an `Authorization: Basic` header
 * (RFC 7617) unless the request gave its own.
 */
export async function enqueueUrlImport(store: Store, queue: JobQueue, tenantId: string, source: { url: string; headers?: Record<string, string> | undefined }, options: ImportJobOptions): Promise<Job> {
  const id = newJobId();
  const split = splitUrlCredentials(source.url);
  const headers = { ...source.headers };
  const hasAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === "authorization");
  if (split.basic && !hasAuthorization) headers.Authorization = `Basic ${Buffer.from(`${split.basic.username}:${split.basic.password}`).toString("base64")}`;
  // Sealed whenever what is shown is not what is fetched (a redacted `?token=` may be empty).
  let sealed: string | undefined;
  if (split.display !== split.url || Object.keys(headers).length > 0) {
    const value: SealedUrlSource = { url: split.url, headers };
    sealed = (await store.sealer()).seal(JSON.stringify(value), sealContext(id));
  }
  const payload: ImportPayload = { v: 2, source: { kind: "url", url: split.display, ...(sealed ? { sealed } : {}) }, ...common(options) };
  return queue.enqueue({ id, tenantId, type: "import", summary: summary(split.display, options), payload });
}

export type DocumentImport = { kind: "queued"; job: Job } | { kind: "empty" };

/** Store chunks of this size: rows stay small, and an upload is never held whole in memory. */
export const DOCUMENT_CHUNK_BYTES = 1024 * 1024;

/**
 * Queues the import of a document, stored in the database as it arrives (so that any server
 * sharing it can run the job) and deleted when the job ends. The caller bounds the bytes
 * (`document` throws to stop the upload); whatever was stored of a failed upload is deleted.
 */
export async function enqueueDocumentImport(
  store: Store,
  queue: JobQueue,
  tenantId: string,
  document: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  source: { filename?: string | undefined },
  options: ImportJobOptions,
): Promise<DocumentImport> {
  const id = newJobId();
  const hash = createHash("sha256");
  let total = 0;
  let seq = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await store.jobs.documents.append(id, tenantId, seq++, chunk);
  };
  try {
    for await (const piece of document) {
      hash.update(piece);
      total += piece.byteLength;
      for (let offset = 0; offset < piece.byteLength; ) {
        const take = Math.min(DOCUMENT_CHUNK_BYTES - pendingBytes, piece.byteLength - offset);
        pending.push(piece.subarray(offset, offset + take));
        pendingBytes += take;
        offset += take;
        if (pendingBytes === DOCUMENT_CHUNK_BYTES) await flush();
      }
    }
    if (pendingBytes > 0) await flush();
    if (total === 0) return { kind: "empty" };
    const payload: ImportPayload = {
      v: 2,
      source: { kind: "document", ...(source.filename ? { filename: source.filename } : {}), bytes: total, sha256: hash.digest("hex") },
      ...common(options),
    };
    const job = await queue.enqueue({ id, tenantId, type: "import", summary: summary(source.filename ?? "uploaded document", options), payload });
    return { kind: "queued", job };
  } catch (error) {
    await store.jobs.documents.discard(id).catch(() => undefined);
    throw error;
  }
}

function common(options: ImportJobOptions): ImportSettings {
  return {
    ...(options.slug ? { slug: options.slug } : {}),
    ...(options.name ? { name: options.name } : {}),
    format: options.format,
    draft: options.draft,
    privateImports: options.privateImports,
    ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}),
    ...(options.serverVariables && Object.keys(options.serverVariables).length > 0 ? { serverVariables: options.serverVariables } : {}),
    ...(options.allowDanglingRefs ? { allowDanglingRefs: true } : {}),
    ...(options.publish ? { publish: true } : {}),
    ...(options.crawl === undefined ? {} : { crawl: options.crawl }),
  };
}

function summary(what: string, options: ImportJobOptions): string {
  return `import ${what}${options.slug ? ` as ${options.slug}` : ""}`;
}
