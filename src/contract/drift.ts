import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";
import { DocsHeadersSchema, ImportFormatSchema } from "./jobs.js";
import { ChangeKindSchema } from "./versioning.js";

/**
 * Drift detection and auto-maintenance: a check scrapes an integration's docs again (or
 * watches its responses) and reports what changed against the current version; a report with
 * changes comes with a proposal (a draft version) that a person approves or rejects.
 */

/** oasdiff's three levels: a false positive is acceptable, a missed break is not. */
export const DriftSeveritySchema = z.enum(["breaking", "non-breaking", "informational"]).meta({ id: "DriftSeverity" });
export type DriftSeverity = z.infer<typeof DriftSeveritySchema>;

/** Kinds of traffic drift: what the responses did that the output schema does not say. */
export const TrafficChangeKindSchema = z.enum(["response-field-added", "response-field-missing", "response-type-changed"]);
export type TrafficChangeKind = z.infer<typeof TrafficChangeKindSchema>;

export const DriftChangeSchema = z
  .object({
    /** Stable over checks: the same change seen again has the same fingerprint (and is not reported again). */
    fingerprint: z.string(),
    severity: DriftSeveritySchema,
    /** The action it is in; null for integration-level changes (base URL, auth). */
    action: z.string().nullable(),
    kind: z.union([ChangeKindSchema, TrafficChangeKindSchema, z.enum(["action-added", "action-removed"])]),
    pointer: z.string(),
    message: z.string(),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
  })
  .meta({ id: "DriftChange" });
export type DriftChange = z.infer<typeof DriftChangeSchema>;

export const AffectedAppSchema = z
  .object({
    app: z.object({ id: z.string(), name: z.string() }),
    /** `current`: the app follows the current version; `pin`: it is pinned (approving never moves it). */
    follows: z.enum(["current", "pin"]),
    version: z.number().int().nullable(),
    /** The report's actions that exist in the version the app runs. */
    actions: z.array(z.string()),
    /** Of those, the ones the app called recently (through the gateway). */
    recentlyCalled: z.array(z.string()),
  })
  .meta({ id: "AffectedApp" });
export type AffectedApp = z.infer<typeof AffectedAppSchema>;

export const DriftImpactSchema = z
  .object({
    apps: z.array(AffectedAppSchema),
    /** Actions called recently with a tenant key and no app. */
    tenantRecentlyCalled: z.array(z.string()),
    /** How far back "recently" reaches, in days. */
    recentDays: z.number().int(),
  })
  .meta({ id: "DriftImpact" });
export type DriftImpact = z.infer<typeof DriftImpactSchema>;

/**
 * Per-integration severity levels by kind of change (oasdiff's `--severity-levels`): how
 * reports and alerts rate them, or `ignore` to leave them out. They never weaken the guard on
 * approval, which asks the classifier whether the draft breaks the current version.
 */
export const SeverityOverridesSchema = z
  .partialRecord(z.union([ChangeKindSchema, TrafficChangeKindSchema, z.enum(["action-added", "action-removed"])]), z.union([DriftSeveritySchema, z.literal("ignore")]))
  .meta({ id: "SeverityOverrides" });
export type SeverityOverrides = z.infer<typeof SeverityOverridesSchema>;

export const DriftOriginSchema = z.enum(["scrape", "traffic"]);

export const DriftReportSchema = z
  .object({
    id: z.string(),
    integration: SlugSchema,
    origin: DriftOriginSchema,
    /** The current version the changes are against. */
    baseVersion: z.number().int().nullable(),
    severity: DriftSeveritySchema,
    summary: z.object({ breaking: z.number().int(), nonBreaking: z.number().int(), informational: z.number().int() }),
    changes: z.array(DriftChangeSchema),
    impact: DriftImpactSchema,
    /** The proposal made from it (scrape drift); null for traffic drift. */
    proposal: z.string().nullable(),
    createdAt: TimestampSchema,
  })
  .meta({ id: "DriftReport" });
export type DriftReport = z.infer<typeof DriftReportSchema>;

export const ProposalStatusSchema = z.enum(["open", "approving", "approved", "rejected", "superseded"]);

export const ProposalSchema = z
  .object({
    id: z.string(),
    integration: SlugSchema,
    report: z.string(),
    /** The draft version built from the fresh scrape. */
    version: z.number().int(),
    baseVersion: z.number().int().nullable(),
    breaking: z.boolean(),
    changelog: z.string(),
    status: ProposalStatusSchema,
    /** `key:<id>` of who approved or rejected it. */
    decidedBy: z.string().nullable(),
    decidedAt: TimestampSchema.nullable(),
    note: z.string().nullable(),
    supersededBy: z.string().nullable(),
    createdAt: TimestampSchema,
  })
  .meta({ id: "Proposal" });
export type Proposal = z.infer<typeof ProposalSchema>;

export const ProposalDetailSchema = ProposalSchema.extend({ report: DriftReportSchema }).meta({ id: "ProposalDetail" });
export type ProposalDetail = z.infer<typeof ProposalDetailSchema>;

export const DriftCheckRequestSchema = z
  .object({
    /**
     * Check against this source instead of the one the integration was imported from: a URL,
     * or the document itself (CI passes a local file again).
     */
    source: z
      .union([
        z.object({ url: z.url().max(4000), headers: DocsHeadersSchema.optional() }).strict(),
        z.object({ content: z.string().min(1), filename: z.string().max(500).optional() }).strict(),
      ])
      .optional(),
    format: ImportFormatSchema.optional(),
  })
  .meta({ id: "DriftCheckRequest" });
export type DriftCheckRequest = z.infer<typeof DriftCheckRequestSchema>;

export const DriftCheckResultSchema = z
  .object({
    check: z.object({ id: z.string(), outcome: z.enum(["no-change", "drift", "known"]), createdAt: TimestampSchema }),
    /** Null when nothing changed, or every change was reported or suppressed before. */
    report: DriftReportSchema.nullable(),
    proposal: ProposalSchema.nullable(),
    /** Changes against the current version that were reported before (still open) or suppressed (a proposal with them was rejected). */
    known: z.object({ reported: z.number().int(), suppressed: z.number().int() }),
  })
  .meta({ id: "DriftCheckResult" });
export type DriftCheckResult = z.infer<typeof DriftCheckResultSchema>;

/** `24h`, `30m`, `7d`: at least 5 minutes (a re-scrape is heavy work for the docs host and for us). */
export const DriftIntervalSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,4}[mhd]$/, "must be a number and a unit: 30m, 24h, 7d")
  .refine((interval) => !interval.endsWith("m") || Number(interval.slice(0, -1)) >= 5, "must be at least 5 minutes");

export const DriftScheduleRequestSchema = z
  .object({ every: DriftIntervalSchema.optional(), cron: z.string().min(9).max(200).optional() })
  .refine((body) => (body.every === undefined) !== (body.cron === undefined), { message: "give exactly one of every and cron", path: ["every"] })
  .meta({ id: "DriftScheduleRequest" });
export type DriftScheduleRequest = z.infer<typeof DriftScheduleRequestSchema>;

export const DriftScheduleSchema = z
  .object({ integration: SlugSchema, every: z.string().nullable(), cron: z.string().nullable(), nextRunAt: TimestampSchema.nullable() })
  .meta({ id: "DriftSchedule" });
export type DriftSchedule = z.infer<typeof DriftScheduleSchema>;

export const ApproveProposalSchema = z
  .object({
    /** Publish even when the draft breaks the current version that unpinned apps follow. */
    allowBreaking: z.boolean().default(false),
    note: z.string().max(2000).optional(),
  })
  .meta({ id: "ApproveProposal" });

export const RejectProposalSchema = z.object({ note: z.string().max(2000).optional() }).meta({ id: "RejectProposal" });

export const AlertEventSchema = z.enum([
  "drift.detected",
  "proposal.created",
  "proposal.approved",
  "proposal.rejected",
  // An end user finished (or failed) the hosted connect flow.
  "connection.created",
  "connection.updated",
  "connection.failed",
  "alert.test",
]);
export type AlertEvent = z.infer<typeof AlertEventSchema>;

export const WebhookEndpointSchema = z
  .object({ id: z.string(), url: z.string(), events: z.array(AlertEventSchema), createdAt: TimestampSchema })
  .meta({ id: "WebhookEndpoint" });
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

export const CreatedWebhookSchema = WebhookEndpointSchema.extend({
  /** The Standard Webhooks signing secret (`whsec_…`): shown in this response only. */
  secret: z.string(),
}).meta({ id: "CreatedWebhook" });

export const CreateWebhookSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2000),
    events: z.array(AlertEventSchema).min(1).max(10).default(["drift.detected", "proposal.created", "proposal.approved", "proposal.rejected"]),
  })
  .meta({ id: "CreateWebhook" });

export const WebhookDeliverySchema = z
  .object({
    id: z.string(),
    endpoint: z.string(),
    /** The `webhook-id` header: the same over retries, so a receiver can drop duplicates. */
    messageId: z.string(),
    event: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: TimestampSchema,
    deliveredAt: TimestampSchema.nullable(),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
