import { z } from "zod";

export const SlugSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be lowercase letters, digits and dashes, starting with a letter or digit");

export const TimestampSchema = z.iso.datetime().describe("RFC 3339 timestamp (UTC)");

/** Query parameters shared by every list route. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional().describe("Opaque cursor from a previous page's nextCursor"),
  search: z.string().max(200).optional().describe("Case-insensitive substring match"),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().describe("Pass as ?cursor= to get the next page; null on the last page"),
  });
}
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
