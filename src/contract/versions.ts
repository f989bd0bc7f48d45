import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";
import { VersionDiffSchema } from "./versioning.js";

export const VersionStatusSchema = z.enum(["draft", "published"]);
export type VersionStatus = z.infer<typeof VersionStatusSchema>;

export const DiffSummarySchema = VersionDiffSchema.shape.summary;
export type DiffSummary = z.infer<typeof DiffSummarySchema>;

export const VersionSchema = z
  .object({
    integration: SlugSchema,
    version: z.number().int().positive(),
    status: VersionStatusSchema,
    current: z.boolean(),
    contentHash: z.string(),
    actionCount: z.number().int(),
    changelog: z.string().nullable(),
    /** Who or what made it: `key:<id>` for an API call, `import:<job id>` for a scrape. */
    createdBy: z.string(),
    createdAt: TimestampSchema,
    publishedAt: TimestampSchema.nullable(),
    /** Against the version before it; null for the first version. */
    diffSummary: DiffSummarySchema.nullable(),
  })
  .meta({ id: "Version" });
export type Version = z.infer<typeof VersionSchema>;

export const IntegrationEventSchema = z
  .object({
    kind: z.enum(["created", "published", "rollback", "proposal-approved", "proposal-rejected"]),
    version: z.number().int(),
    previousVersion: z.number().int().nullable(),
    actor: z.string(),
    createdAt: TimestampSchema,
    /** Why: the note given with a proposal's approval or rejection. */
    note: z.string().optional(),
  })
  .meta({ id: "IntegrationEvent" });
export type IntegrationEvent = z.infer<typeof IntegrationEventSchema>;

export const VersionNumberParam = z.coerce.number().int().positive();
