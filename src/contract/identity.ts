import { z } from "zod";
import { TimestampSchema } from "./common.js";

export const KeyKindSchema = z.enum(["tenant", "app"]);
export type KeyKind = z.infer<typeof KeyKindSchema>;

/** A key as listed: never the secret, only the prefix that identifies it to a person. */
export const ApiKeySchema = z
  .object({
    id: z.string(),
    kind: KeyKindSchema,
    name: z.string(),
    prefix: z.string().describe("First characters of the key, enough to recognise it"),
    appId: z.string().nullable(),
    createdAt: TimestampSchema,
    lastUsedAt: TimestampSchema.nullable(),
    revokedAt: TimestampSchema.nullable(),
  })
  .meta({ id: "ApiKey" });
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const CreateKeyBodySchema = z.object({
  name: z.string().min(1).max(100).default("default"),
});

/** Returned once, at creation: the only time the secret is ever shown. */
export const CreatedKeySchema = z
  .object({ key: ApiKeySchema, secret: z.string() })
  .meta({ id: "CreatedKey" });
export type CreatedKey = z.infer<typeof CreatedKeySchema>;

export const TenantSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: TimestampSchema })
  .meta({ id: "Tenant" });
export type Tenant = z.infer<typeof TenantSchema>;

export const MeSchema = z
  .object({
    tenant: TenantSchema,
    key: ApiKeySchema,
    app: z.object({ id: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: "Me" });
export type Me = z.infer<typeof MeSchema>;

export const HealthSchema = z.object({ status: z.literal("ok"), version: z.string() }).meta({ id: "Health" });

/**
 * Whether this server can serve: sent with 200 when `status` is "ready", else with 503, so a
 * load balancer or orchestrator needs only the status code. Failures are named, not detailed
 * (the route is public); the server logs the detail.
 */
export const ReadinessSchema = z
  .object({
    status: z.enum(["ready", "not-ready"]),
    version: z.string(),
    checks: z.object({
      database: z.object({ status: z.enum(["ok", "unreachable"]), latencyMs: z.number().optional() }),
      migrations: z.object({
        status: z.enum(["ok", "pending", "unknown"]).describe("`unknown`: the database could not be asked"),
        /** Migrations this server needs that the database has not applied: run `waygate server migrate`. */
        pending: z.array(z.string()),
      }),
    }),
  })
  .meta({ id: "Readiness" });
export type Readiness = z.infer<typeof ReadinessSchema>;
