import { z } from "zod";
import { SlugSchema } from "./common.js";
import { ActionDefinitionSchema, AuthSchemeSchema } from "./integrations.js";

/** One integration at the exact version a tenant or app resolves to. */
export const ManifestIntegrationSchema = z
  .object({
    slug: SlugSchema,
    name: z.string(),
    description: z.string().nullable(),
    version: z.number().int().positive(),
    contentHash: z.string(),
    baseUrl: z.string(),
    authSchemes: z.array(AuthSchemeSchema),
    authTypeUnverified: z.boolean(),
    actions: z.array(ActionDefinitionSchema),
  })
  .meta({ id: "ManifestIntegration" });
export type ManifestIntegration = z.infer<typeof ManifestIntegrationSchema>;

/** One intent at the version the tenant or app runs (its pin, else the latest), with the providers bound to it. */
export const ManifestIntentSchema = z
  .object({
    name: z.string(),
    version: z.number().int().positive(),
    description: z.string(),
    inputSchema: z.record(z.string(), z.unknown()),
    outputSchema: z.record(z.string(), z.unknown()),
    providers: z.array(SlugSchema),
  })
  .meta({ id: "ManifestIntent" });
export type ManifestIntent = z.infer<typeof ManifestIntentSchema>;

/**
 * Everything `waygate generate` needs for one tenant or app. `hash` covers the
 * integrations (sorted by slug), so the generated header changes exactly when the
 * generated code would.
 */
export const SdkManifestSchema = z
  .object({
    hash: z.string(),
    apiUrl: z.string().describe("The Waygate API the client was generated against (its default baseUrl)"),
    tenantId: z.string(),
    appId: z.string().nullable(),
    integrations: z.array(ManifestIntegrationSchema),
    /** `wg.intents.*`; absent from older servers' manifests. */
    intents: z.array(ManifestIntentSchema).optional(),
  })
  .meta({ id: "SdkManifest" });
export type SdkManifest = z.infer<typeof SdkManifestSchema>;
