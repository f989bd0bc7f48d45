import { routes, type IntegrationDetail } from "../../../contract/index.js";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IO } from "../../io.js";

export interface RateLimitOptions {
  slug: string;
  capacity?: number;
  perSecond?: number;
  clear: boolean;
}

export async function run(context: Context, options: RateLimitOptions): Promise<IntegrationDetail> {
  if (options.clear === (options.capacity !== undefined || options.perSecond !== undefined)) {
    throw new UsageError("pass --capacity and --per-second to set a limit, or --clear to remove it");
  }
  if (!options.clear && (options.capacity === undefined || options.perSecond === undefined)) throw new UsageError("--capacity and --per-second go together");
  const rateLimit = options.clear ? null : { capacity: options.capacity!, refillPerSecond: options.perSecond! };
  return (await context.client()).call(routes.setRateLimit, { params: { slug: options.slug }, body: { rateLimit } });
}

export function render(integration: IntegrationDetail, io: IO): void {
  const limit = integration.rateLimit;
  io.out(
    limit
      ? `The gateway keeps ${integration.slug} to bursts of ${limit.capacity}, refilled at ${limit.refillPerSecond}/s.`
      : `${integration.slug} has no configured rate limit (the gateway still follows the upstream's rate-limit headers).`,
  );
}
