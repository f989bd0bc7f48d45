import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";

/** Credentials as they are sent once, at creation. They are never sent back. */
export const CredentialsSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("apiKey"), key: z.string().min(1).max(10_000) }),
    z.object({ type: z.literal("bearer"), token: z.string().min(1).max(10_000) }),
    z.object({ type: z.literal("basic"), username: z.string().max(1_000), password: z.string().max(10_000) }),
    z.object({
      type: z.literal("oauth2"),
      accessToken: z.string().min(1).max(20_000),
      refreshToken: z.string().max(20_000).optional(),
      expiresAt: z.iso.datetime({ offset: true }).optional(),
      tokenUrl: z.url().optional(),
      clientId: z.string().max(1_000).optional(),
      clientSecret: z.string().max(10_000).optional(),
      scopes: z.array(z.string().max(500)).max(200).optional(),
    }),
  ])
  .meta({ id: "Credentials" });
export type Credentials = z.infer<typeof CredentialsSchema>;

export const ExternalUserIdSchema = z.string().min(1).max(200).describe("Your id for the end user these credentials belong to");

export const ConnectionSchema = z
  .object({
    id: z.string(),
    integration: SlugSchema,
    /** The app the connection belongs to; null for a tenant-level connection. */
    app: z.object({ id: z.string(), name: z.string() }).nullable(),
    externalUserId: z.string().nullable(),
    authType: z.enum(["apiKey", "bearer", "basic", "oauth2"]),
    status: z.enum(["active", "needs_reauth"]).describe("needs_reauth: the provider refused the refresh token; the end user must connect again"),
    scopes: z.array(z.string()).nullable(),
    /** When an OAuth access token stops working (it is refreshed before then). */
    expiresAt: TimestampSchema.nullable(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    lastUsedAt: TimestampSchema.nullable(),
  })
  .meta({ id: "Connection" });
export type Connection = z.infer<typeof ConnectionSchema>;

export const CreateConnectionSchema = z
  .object({
    integration: SlugSchema,
    app: z.string().max(100).optional().describe("App name or id (tenant keys); an app key's connections are always its app's"),
    externalUserId: ExternalUserIdSchema.optional(),
    credentials: CredentialsSchema,
  })
  .meta({ id: "CreateConnection" });

export const ConnectionTestSchema = z
  .object({
    ok: z.boolean(),
    action: z.string().nullable().describe("The action called to test, if any"),
    status: z.number().int().nullable().describe("The upstream's status"),
    detail: z.string(),
  })
  .meta({ id: "ConnectionTest" });
export type ConnectionTest = z.infer<typeof ConnectionTestSchema>;

export const FieldMappingSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("rename"), from: z.string().startsWith("/"), to: z.string().startsWith("/") }),
  z.object({ op: z.literal("move"), from: z.string().startsWith("/"), to: z.string().startsWith("/") }),
  z.object({ op: z.literal("drop"), path: z.string().startsWith("/") }),
]);

/** How the gateway treats one integration's responses for one app. */
export const AppIntegrationSettingsSchema = z
  .object({
    validation: z.enum(["off", "warn", "strict"]).default("warn").describe("Check responses against the output schema"),
    mappings: z.array(FieldMappingSchema).max(200).default([]).describe("Applied in order to the response body (each item when paginating)"),
  })
  .meta({ id: "AppIntegrationSettings" });
export type AppIntegrationSettings = z.infer<typeof AppIntegrationSettingsSchema>;
