import { rateLimitWaitExceeded } from "./problems.js";
import type { RateLimitState } from "./rate-limit-headers.js";
import type { BucketConfig, RateLimitConfig } from "./types.js";
import { remember } from "../lib/bounded-map.js";

/** Buckets and learned budgets kept at most; the least recently used are forgotten first. */
const MAX_KEYS = 10_000;

/**
 * A token bucket that hands out reservations: a caller takes a token now and is told how
 * long to wait before using it, so concurrent callers queue in order instead of all
 * waking at the same instant.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly config: BucketConfig,
    now: number,
  ) {
    this.tokens = config.capacity;
    this.updatedAt = now;
  }

  /** Milliseconds until a token would be available, without taking it. */
  waitFor(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.config.refillPerSecond) * 1000;
  }

  /** Takes a token (possibly one not yet refilled) and returns how long to wait before using it. */
  reserve(now: number): number {
    const wait = this.waitFor(now);
    this.tokens -= 1;
    return wait;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.config.capacity, this.tokens + elapsed * this.config.refillPerSecond);
    this.updatedAt = now;
  }
}

/** The budget an upstream announced, counted down locally between responses. */
interface LearnedBudget {
  remaining: number;
  resetAt: number;
}

export interface RateLimitKeys {
  connection: string | null;
  integration: string;
  /** The integration's own configured bucket, when it has one. */
  integrationLimit?: BucketConfig | undefined;
}

/**
 * Waits for budget before each upstream request: configured token buckets per connection
 * and per integration, and the budget the upstream itself announced in its rate-limit
 * headers (kept per connection, since upstreams count per credential, else per
 * integration). Waiting beyond `maxWaitMs` throws rate-limit-wait-exceeded rather than
 * provoking a 429 the upstream may punish.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly learned = new Map<string, LearnedBudget>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly clock: () => number,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ) {}

  async acquire(keys: RateLimitKeys, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    const now = this.clock();
    const buckets = this.bucketsFor(keys, now);
    const learnedKey = learnedKeyOf(keys);
    const budget = this.learned.get(learnedKey);
    if (budget && budget.resetAt <= now) this.learned.delete(learnedKey);
    const learnedWait = budget && budget.resetAt > now && budget.remaining < 1 ? budget.resetAt - now : 0;
    const wait = Math.max(learnedWait, ...buckets.map((bucket) => bucket.waitFor(now)));
    if (wait > maxWaitMs) throw rateLimitWaitExceeded(wait, maxWaitMs);
    for (const bucket of buckets) bucket.reserve(now);
    if (budget && budget.resetAt > now && budget.remaining >= 1) budget.remaining -= 1;
    if (wait > 0) await this.sleep(wait, signal);
  }

  /** Records what a response said about the remaining budget (headers or a 429's Retry-After). */
  learn(keys: RateLimitKeys, state: RateLimitState | null): void {
    if (!state || state.resetMs <= 0) return;
    const key = learnedKeyOf(keys);
    remember(this.learned, key, { remaining: state.remaining, resetAt: this.clock() + state.resetMs }, MAX_KEYS);
  }

  private bucketsFor(keys: RateLimitKeys, now: number): TokenBucket[] {
    const found: TokenBucket[] = [];
    const perIntegration = keys.integrationLimit ?? this.config.perIntegration?.[keys.integration] ?? this.config.perIntegration?.["*"];
    // The config is part of the key, so changing an integration's limit starts a fresh bucket.
    if (perIntegration) found.push(this.bucket(`i:${keys.integration}:${perIntegration.capacity}/${perIntegration.refillPerSecond}`, perIntegration, now));
    if (keys.connection !== null && this.config.perConnection) found.push(this.bucket(`c:${keys.connection}`, this.config.perConnection, now));
    return found;
  }

  private bucket(key: string, config: BucketConfig, now: number): TokenBucket {
    const bucket = this.buckets.get(key) ?? new TokenBucket(config, now);
    remember(this.buckets, key, bucket, MAX_KEYS);
    return bucket;
  }
}

function learnedKeyOf(keys: RateLimitKeys): string {
  return keys.connection !== null ? `c:${keys.connection}` : `i:${keys.integration}`;
}
