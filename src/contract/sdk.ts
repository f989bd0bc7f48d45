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
  })
  .meta({ id: "SdkManifest" });
export type SdkManifest = z.infer<typeof SdkManifestSchema>;
