import { z } from "zod";

/**
 * Every kind of difference the version diff reports. Stable strings: CLI output,
 * `--fail-on-breaking` and drift reports key on them, so add kinds, never rename them.
 * Which kinds are breaking (and when) is decided in src/versioning/severity.ts only.
 */
export const ChangeKindSchema = z
  .enum([
    // integration
    "base-url-changed",
    "auth-scheme-added",
    "auth-scheme-removed",
    "auth-scheme-changed",
    "name-changed",
    // action
    "method-changed",
    "path-changed",
    "summary-changed",
    "description-changed",
    "tags-changed",
    "deprecated",
    "undeprecated",
    "pagination-changed",
    "schema-added",
    "schema-removed",
    // schema (input or output)
    "property-added",
    "property-removed",
    "became-required",
    "became-optional",
    "type-changed",
    "became-nullable",
    "became-non-nullable",
    "became-enum",
    "became-not-enum",
    "enum-values-added",
    "enum-values-removed",
    "format-changed",
    "constraint-changed",
    "additional-properties-changed",
    "variant-added",
    "variant-removed",
    "location-changed",
    "default-changed",
    "schema-changed",
  ])
  .meta({ id: "ChangeKind" });
export type ChangeKind = z.infer<typeof ChangeKindSchema>;

export const ChangeSeveritySchema = z.enum(["breaking", "non-breaking"]).meta({ id: "ChangeSeverity" });
export type ChangeSeverity = z.infer<typeof ChangeSeveritySchema>;

export const VersionChangeSchema = z
  .object({
    kind: ChangeKindSchema,
    severity: ChangeSeveritySchema,
    pointer: z.string().describe("RFC 6901 JSON pointer into the action (or integration) where the change happened"),
    message: z.string().describe("One human sentence, e.g. `input.title became required`"),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
  })
  .meta({ id: "VersionChange" });
export type VersionChange = z.infer<typeof VersionChangeSchema>;

export const VersionActionRefSchema = z
  .object({
    name: z.string(),
    method: z.string(),
    path: z.string(),
    deprecated: z.boolean().describe("Whether the action was deprecated on the side it exists on"),
  })
  .meta({ id: "VersionActionRef" });
export type VersionActionRef = z.infer<typeof VersionActionRefSchema>;

export const VersionActionChangeSchema = z
  .object({
    name: z.string(),
    breaking: z.boolean(),
    changes: z.array(VersionChangeSchema),
  })
  .meta({ id: "VersionActionChange" });
export type VersionActionChange = z.infer<typeof VersionActionChangeSchema>;

export const VersionDiffSchema = z
  .object({
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    breaking: z.boolean(),
    summary: z.object({
      added: z.number().int().nonnegative().describe("Actions added"),
      removed: z.number().int().nonnegative().describe("Actions removed"),
      changed: z.number().int().nonnegative().describe("Actions with at least one change"),
      breaking: z
        .number()
        .int()
        .nonnegative()
        .describe("Breaking items: removed actions plus breaking changes in actions and in the integration"),
    }),
    actions: z.object({
      added: z.array(VersionActionRefSchema),
      removed: z.array(VersionActionRefSchema),
      changed: z.array(VersionActionChangeSchema),
    }),
    integration: z.array(VersionChangeSchema).describe("Base URL, auth scheme and naming changes"),
  })
  .meta({ id: "VersionDiff" });
export type VersionDiff = z.infer<typeof VersionDiffSchema>;
