import { z } from "zod";

/**
 * RFC 9457 problem details. `type` is a stable URI per kind of problem, so clients
 * branch on it rather than on `title` or `detail` text.
 */
export const FieldErrorSchema = z.object({
  /** Where the bad value is: `body.slug`, `query.limit`, `params.slug`. */
  field: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldErrorSchema>;

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
    /** The request's id (also the `X-Request-Id` response header): quote it when reporting a problem. */
    requestId: z.string().optional(),
    /** A machine-readable cause within the type, e.g. an importer error code ("syntax_error"). */
    code: z.string().optional(),
    /** Where in a submitted document the problem is. */
    location: z
      .object({
        source: z.string(),
        pointer: z.string().optional(),
        line: z.number().int().optional(),
        column: z.number().int().optional(),
      })
      .optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof ProblemSchema>;

export const PROBLEM_BASE = "https://waygate.dev/problems/";

/** Every kind of problem the API returns, by its stable slug. */
export const problemTypes = {
  "bad-request": { status: 400, title: "Bad request" },
  validation: { status: 400, title: "Request validation failed" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Permission denied" },
  "not-found": { status: 404, title: "Not found" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  "payload-too-large": { status: 413, title: "Payload too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "import-failed": { status: 422, title: "Import failed" },
  "job-failed": { status: 500, title: "Job failed" },
  internal: { status: 500, title: "Internal server error" },
  "not-available": { status: 501, title: "Not available on this server" },
  "server-busy": { status: 503, title: "Server busy" },
} as const;
export type ProblemKind = keyof typeof problemTypes;

export function problemTypeUri(kind: ProblemKind): string {
  return PROBLEM_BASE + kind;
}
