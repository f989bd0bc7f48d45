import { z } from "zod";
import { SlugSchema, TimestampSchema } from "./common.js";

/** App names are slugs so that they can be typed on a command line and used in URLs. */
export const AppNameSchema = SlugSchema;

export const AppSchema = z
  .object({
    id: z.string(),
    name: AppNameSchema,
    createdAt: TimestampSchema,
    keyCount: z.number().int().describe("Active (unrevoked) keys"),
    pinCount: z.number().int(),
  })
  .meta({ id: "App" });
export type App = z.infer<typeof AppSchema>;

export const PinSchema = z
  .object({
    integration: SlugSchema,
    version: z.number().int().positive(),
    /** The integration's current version, for comparison. */
    currentVersion: z.number().int().nullable(),
    updatedAt: TimestampSchema,
  })
  .meta({ id: "Pin" });
export type Pin = z.infer<typeof PinSchema>;
