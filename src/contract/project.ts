import { z } from "zod";
import { AppNameSchema } from "./apps.js";
import { SlugSchema } from "./common.js";

/**
 * `waygate.json`: what a repository builds against. Written by `waygate init`, updated by
 * `waygate pin --save`, read by `waygate generate`. Its JSON Schema ships in the package
 * (`waygate.schema.json`) so editors validate it.
 */
export const ProjectFileSchema = z
  .object({
    $schema: z.string().optional(),
    app: AppNameSchema.describe("The app whose pins and keys this repository uses"),
    out: z.string().min(1).default("./waygate").describe("Where `waygate generate` writes the client"),
    integrations: z
      .record(SlugSchema, z.number().int().positive())
      .default({})
      .describe("Integration slug → the version this repository is built against"),
  })
  .strict()
  .meta({ id: "WaygateProject", title: "waygate.json", description: "A repository's Waygate project file" });
export type ProjectFile = z.infer<typeof ProjectFileSchema>;
