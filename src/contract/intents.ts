import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";
import { ActionNameSchema, JsonSchemaSchema } from "./integrations.js";
import { UpstreamHeadersSchema } from "./invoke.js";
import { VersionChangeSchema } from "./versioning.js";

/** `send_message`: lower-case words joined by `_` (the generated client calls it `sendMessage`). */
export const IntentNameSchema = z
  .string()
  .min(1)
  // Short enough that `intent_<name>` is a valid AI tool name (64 characters at most).
  .max(50)
  .regex(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, "must be lower-case words joined by underscores, starting with a letter (send_message)");

export const IntentTemplateNameSchema = z.enum(["messages", "tickets", "contacts", "files"]);
export type IntentTemplateName = z.infer<typeof IntentTemplateNameSchema>;

/** A JSON pointer (RFC 6901) into a canonical or provider document. */
const PointerSchema = z.string().max(1_000).regex(/^(\/.*)?$/, "must be a JSON pointer: empty or starting with /");
const TargetPointerSchema = PointerSchema.min(2, "must point at a field, not at the whole document");

/**
 * One step of a binding's mapping. The mapping builds a new document (the provider's input,
 * or the canonical output) from the source document; nothing is copied unless a step says so.
 * - `move`: the value at `from` goes to `to`; the source field counts as honoured.
 * - `set`: the same, but the source may be used again by another step (a copy).
 * - `constant`: `value` at `to`, whatever the source holds.
 * - `template`: a string built from source fields, `{/pointer}` per field (`"{/title}: {/text}"`).
 * - `drop`: the source field at `path` is knowingly not sent: it is reported as unsupported when given.
 */
export const MappingStepSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("move"), from: PointerSchema, to: TargetPointerSchema }).strict(),
  z.object({ op: z.literal("set"), from: PointerSchema, to: TargetPointerSchema }).strict(),
  z.object({ op: z.literal("constant"), to: TargetPointerSchema, value: z.unknown() }).strict(),
  z.object({ op: z.literal("template"), to: TargetPointerSchema, template: z.string().max(10_000) }).strict(),
  z.object({ op: z.literal("drop"), path: TargetPointerSchema }).strict(),
]);
export type MappingStep = z.infer<typeof MappingStepSchema>;

export const IntentMappingSchema = z
  .object({
    /** Canonical input → the action's input. */
    input: z.array(MappingStepSchema).max(500).default([]),
    /** The action's output → canonical output. */
    output: z.array(MappingStepSchema).max(500).default([]),
  })
  .strict()
  .meta({ id: "IntentMapping" });
export type IntentMapping = z.infer<typeof IntentMappingSchema>;

export const CreateIntentSchema = z
  .object({
    name: IntentNameSchema,
    description: z.string().max(4_000).default(""),
    inputSchema: JsonSchemaSchema.optional(),
    outputSchema: JsonSchemaSchema.optional(),
    /** Start from a built-in template: its schemas are used for what the request leaves out. */
    template: IntentTemplateNameSchema.optional(),
    /** Refuse (409) a new version that breaks the previous one (a required input added, an output field removed…). */
    failOnBreaking: z.boolean().default(false),
  })
  .strict()
  .meta({ id: "CreateIntent" });
export type CreateIntent = z.infer<typeof CreateIntentSchema>;

export const IntentBindingSchema = z
  .object({
    integration: SlugSchema,
    action: z.string(),
    /** The integration version the binding was checked against. */
    integrationVersion: z.number().int(),
    mapping: IntentMappingSchema,
    /** Canonical input fields this provider cannot take (dropped or never read): reported per call when given. */
    unsupported: z.array(z.string()),
    createdAt: TimestampSchema,
  })
  .meta({ id: "IntentBinding" });
export type IntentBinding = z.infer<typeof IntentBindingSchema>;

export const IntentSchema = z
  .object({
    name: IntentNameSchema,
    version: z.number().int(),
    /** The newest version (apps that pin nothing run it). */
    latestVersion: z.number().int(),
    description: z.string(),
    inputSchema: JsonSchemaSchema,
    outputSchema: JsonSchemaSchema,
    bindings: z.array(IntentBindingSchema),
    /** The tenant's provider preference order (first preferred). */
    preference: z.array(SlugSchema),
    createdAt: TimestampSchema,
  })
  .meta({ id: "Intent" });
export type Intent = z.infer<typeof IntentSchema>;

export const CreatedIntentSchema = IntentSchema.extend({
  /** False when the schemas equal the latest version's (nothing was added). */
  created: z.boolean(),
  /** Changes from the previous version, classified as for integrations. */
  changes: z.array(VersionChangeSchema),
}).meta({ id: "CreatedIntent" });
export type CreatedIntent = z.infer<typeof CreatedIntentSchema>;

export const BindIntentSchema = z
  .object({
    action: ActionNameSchema,
    mapping: IntentMappingSchema,
    /** The intent version to bind; default the latest. */
    intentVersion: z.number().int().positive().optional(),
  })
  .strict()
  .meta({ id: "BindIntent" });
export type BindIntent = z.infer<typeof BindIntentSchema>;

export const IntentPreferenceSchema = z
  .object({ providers: z.array(SlugSchema).max(50) })
  .strict()
  .meta({ id: "IntentPreference" });

export const InvokeIntentSchema = z
  .object({
    input: z.record(z.string(), z.unknown()).default({}),
    /** The end user: the providers they have connections for are the candidates. */
    user: z.string().min(1).max(200).optional(),
    /** The generated client's per-call `connection` (an end user's id or a connection id): used as `user` when that is absent. */
    connection: z.string().min(1).max(200).optional(),
    /** Run this provider only. */
    provider: SlugSchema.optional(),
    /** Try the next candidate on a provider-side failure (5xx, timeout, unreachable, 429), never after a write may have happened without an idempotency key. */
    fallback: z.boolean().default(false),
    /** Provider-specific fields per provider (`{ slack: { unfurl_links: false } }`), merged into that provider's input and checked against its schema. */
    extras: z.record(SlugSchema, z.record(z.string(), z.unknown())).default({}),
    retries: z.number().int().min(0).max(10).optional(),
    timeoutMs: z.number().int().min(1).max(300_000).optional(),
    headers: UpstreamHeadersSchema.optional(),
  })
  .strict()
  .meta({ id: "InvokeIntent" });
export type InvokeIntent = z.infer<typeof InvokeIntentSchema>;

export const IntentAttemptSchema = z.object({
  provider: SlugSchema,
  action: z.string(),
  /** The upstream's status, or Waygate's problem status when it never answered. */
  status: z.number().int().nullable(),
  detail: z.string(),
});

export const IntentResultSchema = z
  .object({
    intent: IntentNameSchema,
    version: z.number().int(),
    provider: SlugSchema,
    action: z.string(),
    integrationVersion: z.number().int(),
    /** Why this provider: named by the caller, the only connected one, or the first connected one in preference order. */
    selectedBy: z.enum(["explicit", "preference", "connection", "fallback"]),
    status: z.number().int(),
    output: z.unknown(),
    /** The provider's own answer, unmapped. */
    raw: z.unknown(),
    /** Canonical input fields given in this call that the provider could not honour. */
    unsupported: z.array(z.string()),
    /** Providers tried before this one, and why each failed. */
    fallbacks: z.array(IntentAttemptSchema),
    warnings: z.array(z.string()),
  })
  .meta({ id: "IntentResult" });
export type IntentResult = z.infer<typeof IntentResultSchema>;

export const IntentPinSchema = z.object({ intent: IntentNameSchema, version: z.number().int() }).meta({ id: "IntentPin" });
