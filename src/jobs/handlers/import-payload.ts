import { z } from "zod";
import { BaseUrlSchema, CrawlSettingsSchema, ImportFormatSchema, ImportRequestSchema, ServerVariablesSchema, SlugSchema } from "../../contract/index.js";

/**
 * What an import job keeps while it waits and runs: small, and nothing in clear that must
 * not be. An uploaded document lives in the store's job documents; a URL is kept as it may be
 * shown, with the real URL and any request headers sealed (AES-256-GCM, bound to the job id).
 * The store drops the payload when the job ends.
 */
export const ImportPayloadSchema = z.object({
  v: z.literal(2),
  source: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("url"),
      /** As shown: no user info, secret query parameters redacted. */
      url: z.string(),
      /** Sealed `SealedUrlSource`, when the URL had credentials or the request had headers. */
      sealed: z.string().optional(),
    }),
    z.object({
      kind: z.literal("document"),
      filename: z.string().optional(),
      bytes: z.number().int().positive(),
      /** Hex SHA-256 of the bytes as uploaded: what the job reads back must match. */
      sha256: z.string(),
    }),
  ]),
  slug: SlugSchema.optional(),
  name: z.string().optional(),
  format: ImportFormatSchema,
  draft: z.boolean(),
  /** Optional: jobs queued before these settings existed run with the defaults. */
  serverUrl: BaseUrlSchema.optional(),
  serverVariables: ServerVariablesSchema.optional(),
  allowDanglingRefs: z.boolean().optional(),
  publish: z.boolean().optional(),
  /** URL imports: how to crawl a docs site (absent: the defaults; false: the page alone). */
  crawl: z.union([z.literal(false), CrawlSettingsSchema]).optional(),
  /**
   * Whether the server that queued the job lets imports reach private addresses. Servers
   * sharing a database share its queue: the one that runs the job applies the stricter of
   * this and its own setting, so a permissive server never widens a strict one's request.
   */
  privateImports: z.boolean().optional(),
});
export type ImportPayload = z.infer<typeof ImportPayloadSchema>;
/** Everything about an import but its source: how the document becomes a version. */
export type ImportSettings = Omit<ImportPayload, "v" | "source">;

/** The secret half of a URL source. */
export const SealedUrlSourceSchema = z.object({ url: z.string(), headers: z.record(z.string(), z.string()) });
export type SealedUrlSource = z.infer<typeof SealedUrlSourceSchema>;

/** Associated data of a job's sealed source: the ciphertext opens for this job only. */
export function sealContext(jobId: string): string {
  return `import-job:${jobId}`;
}

/**
 * A payload as stored, checked. Jobs queued by an earlier version hold the API request
 * itself (`ImportRequest`, with the document inline): they still run.
 */
export function decodeImportPayload(stored: unknown): ImportPayload | { legacy: z.infer<typeof ImportRequestSchema> } {
  const current = ImportPayloadSchema.safeParse(stored);
  if (current.success) return current.data;
  return { legacy: ImportRequestSchema.parse(stored) };
}
