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
    private config: BucketConfig,
    now: number,
  ) {
    this.tokens = config.capacity;
    this.updatedAt = now;
  }

  /** Changes capacity and rate from `now` on, keeping the reservations already handed out. */
  retune(config: BucketConfig, now: number): void {
    this.refill(now);
    this.config = config;
    this.tokens = Math.min(this.tokens, config.capacity);
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

/** The budget an upstream announced in rate-limit headers, counted down locally between responses. */
interface LearnedBudget {
  remaining: number;
  resetAt: number;
}

/**
 * What a 429 or 503 with Retry-After taught: nothing may go before `resetAt`, and after it
 * requests are paced by a bucket refilled at the rate the upstream had been accepting
 * (its successes in the Retry-After period before it throttled). Another throttle lowers
 * that rate to what the upstream took meanwhile (at least halving it when it took nothing);
 * a quiet stretch raises it by a tenth, and several in a row end the pacing.
 */
interface Throttle {
  resetAt: number;
  periodMs: number;
  /** Requests the upstream takes per period, as learned. */
  perPeriod: number;
  pace: TokenBucket;
  /** Changes when waiters' reservations are void (a new reset, a slower pace): sleepers wake and queue again. */
  epoch: number;
  /** When pacing began: answers to requests sent earlier are old news, not a verdict on the pace. */
  learnedAt: number;
  /** The last stray throttle (one that kept the pace; see STRAY_PERIODS), if any. */
  strayAt?: number;
  /** A pace lowered while pacing: successes of requests in flight then raise it up to here, not back to the pace that was too fast. */
  ceiling?: number;
  /** The last request paced by it: an idle key forgets its pace. */
  lastUsedAt: number;
  /** When the requests of the last period went (oldest first): never more than the pace allows in any period. */
  sent: number[];
}

/** Successes on a key since its last throttle: the evidence a throttle's pace is learned from. */
interface Accepted {
  since: number;
  count: number;
  /** When the latest successes came back (a ring of RECENT_SUCCESSES): what the upstream took in the period just before it throttled. */
  recent: Float64Array;
  next: number;
}

/** Successes remembered per key for the recent rate (1 KiB a key). */
const RECENT_SUCCESSES = 128;

/**
 * A throttle of a paced request is a stray when it is the first in this many periods and the
 * upstream took about the pace (three quarters of it or more) in the period before: the
 * reset is honoured, the pace kept. A pace that is really too fast is refused again within a
 * period or two and lowered then; a stray is timing (a send that reached a fixed-window
 * upstream in its next window late), and lowering the pace for it would cost every later
 * period a request. (SharedRateLimiter judges the same way.)
 */
export const STRAY_PERIODS = 10;

/**
 * A pace lowered while pacing resumes after the Retry-After plus a random part of a period.
 * Resumed after exactly the Retry-After, it starts at the same point of a fixed-window
 * upstream's window as the 429 did: when the old pace was too fast by less than double, the
 * next 429 then always comes a period later, after the rest of one window and the whole limit
 * of the next, and the pace learned from that period comes down one request a lesson (25
 * lessons, a 429 and a lost second each, from a first lesson that counted 76 across a window
 * boundary to 50). Resumed at a random point, the window it resumes in is more often long
 * enough to fill: the period before the 429 then holds the limit alone, and the next lesson
 * learns it. (SharedRateLimiter resumes the same way.)
 */
export function resumeJitter(random: () => number, periodMs: number): number {
  return Math.floor(random() * periodMs);
}

/** A throttle's pacing ends when nothing was sent on its key for this many of its periods (and at least PACE_IDLE_MS). */
const QUIET_PERIODS = 4;
const PACE_IDLE_MS = 60_000;

export interface RateLimitKeys {
  connection: string | null;
  integration: string;
  /** The integration's own configured bucket, when it has one. */
  integrationLimit?: BucketConfig | undefined;
}

/** What the gateway asks of a rate limiter: in-process (RateLimiter) or shared by every process through Redis (SharedRateLimiter). */
export interface Limiter {
  /** Waits until a request on these keys may go; throws rate-limit-wait-exceeded rather than wait beyond `maxWaitMs`. */
  acquire(keys: RateLimitKeys, maxWaitMs: number, signal?: AbortSignal): Promise<void>;
  /** What a response said about the remaining budget (rate-limit headers). */
  learn(keys: RateLimitKeys, state: RateLimitState | null): void;
  /** A request the upstream accepted. */
  accept(keys: RateLimitKeys, sentAt: number): void;
  /** A 429 or 503 with Retry-After for a request sent at `sentAt`. */
  throttled(keys: RateLimitKeys, retryAfterMs: number, sentAt: number): void;
  close?(): Promise<void>;
}

/**
 * Waits for budget before each upstream request: configured token buckets per connection
 * and per integration, and what the upstream itself said (rate-limit headers, Retry-After),
 * kept per connection since upstreams count per credential, else per integration. Waiting
 * beyond `maxWaitMs` throws rate-limit-wait-exceeded rather than provoking a 429 the
 * upstream may punish.
 */
export class RateLimiter implements Limiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly learned = new Map<string, LearnedBudget>();
  private readonly throttles = new Map<string, Throttle>();
  private readonly accepted = new Map<string, Accepted>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly clock: () => number,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
    /** Where a lowered pace resumes within a period (see resumeJitter). */
    private readonly random: () => number = Math.random,
  ) {}

  async acquire(keys: RateLimitKeys, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    const upstreamKey = upstreamKeyOf(keys);
    const deadline = this.clock() + maxWaitMs;
    for (;;) {
      const now = this.clock();
      const buckets = this.bucketsFor(keys, now);
      const budget = this.learned.get(upstreamKey);
      if (budget && budget.resetAt <= now) this.learned.delete(upstreamKey);
      const learnedWait = budget && budget.resetAt > now && budget.remaining < 1 ? budget.resetAt - now : 0;
      const throttle = this.activeThrottle(upstreamKey, now);
      // The pace bucket hands out reservations from the reset on, in order: waiters leave
      // one by one at the learned rate instead of all at the same instant.
      const start = throttle ? Math.max(now, throttle.resetAt) : now;
      const throttleWait = throttle ? start - now + throttle.pace.waitFor(start) : 0;
      const wait = Math.max(learnedWait, throttleWait, ...buckets.map((bucket) => bucket.waitFor(now)));
      if (now + wait > deadline) throw rateLimitWaitExceeded(wait, maxWaitMs);
      for (const bucket of buckets) bucket.reserve(now);
      throttle?.pace.reserve(start);
      if (budget && budget.resetAt > now && budget.remaining >= 1) budget.remaining -= 1;
      if (wait > 0) {
        await this.sleep(wait, signal);
        // A throttle learned while this caller slept voids its reservation: queue again under it.
        const current = this.throttles.get(upstreamKey);
        if (current && current.epoch !== throttle?.epoch) continue;
      }
      if (!throttle || (await this.windowSlot(upstreamKey, throttle, deadline, maxWaitMs, signal))) return;
    }
  }

  /**
   * The last gate of a paced request: at most the pace's count in any period, counted when
   * requests actually go. Reservations alone space requests evenly only if callers wake on
   * time; on a busy process timers fire late and the late ones would go together, into the
   * upstream's next window on top of its own share (the stray 429 that cost a second each).
   * False when a new throttle arrived meanwhile: queue again under it.
   */
  private async windowSlot(key: string, throttle: Throttle, deadline: number, maxWaitMs: number, signal?: AbortSignal): Promise<boolean> {
    const allowed = allowedPerPeriod(throttle);
    for (;;) {
      const now = this.clock();
      // The same sum as the wait below, so a wait of 0 always frees a slot (no float rounding apart).
      while (throttle.sent.length > 0 && throttle.sent[0]! + throttle.periodMs <= now) throttle.sent.shift();
      if (throttle.sent.length < allowed) {
        throttle.sent.push(now);
        return true;
      }
      const wait = throttle.sent[0]! + throttle.periodMs - now;
      if (now + wait > deadline) throw rateLimitWaitExceeded(wait, maxWaitMs);
      await this.sleep(wait, signal);
      if (this.throttles.get(key) !== throttle) return false;
    }
  }

  /**
   * The key's throttle. The pace holds while requests keep coming: it was learned from the
   * upstream's own answers, and probing faster would only buy a 429 (and a lost second) at
   * every probe. A key left idle for PACE_IDLE_MS forgets it; the next burst relearns it.
   */
  private activeThrottle(key: string, now: number): Throttle | undefined {
    const throttle = this.throttles.get(key);
    if (throttle && now - throttle.lastUsedAt > Math.max(PACE_IDLE_MS, QUIET_PERIODS * throttle.periodMs)) {
      this.throttles.delete(key);
      return undefined;
    }
    if (throttle) throttle.lastUsedAt = now;
    return throttle;
  }

  /** Records what a response said about the remaining budget (rate-limit headers). */
  learn(keys: RateLimitKeys, state: RateLimitState | null): void {
    if (!state || state.resetMs <= 0) return;
    remember(this.learned, upstreamKeyOf(keys), { remaining: state.remaining, resetAt: this.clock() + state.resetMs }, MAX_KEYS);
  }

  /**
   * Counts a request the upstream accepted; a later throttle learns its pace from these. A
   * success for a request sent before pacing began raises the learned pace: it shows the
   * upstream took one more than was counted when the throttle arrived.
   */
  accept(keys: RateLimitKeys, sentAt: number): void {
    const key = upstreamKeyOf(keys);
    const throttle = this.throttles.get(key);
    if (throttle && sentAt < throttle.learnedAt) {
      if (throttle.perPeriod + 1 <= (throttle.ceiling ?? Infinity)) {
        throttle.perPeriod += 1;
        throttle.pace.retune(paceOf(throttle.perPeriod, throttle.periodMs), this.clock());
      }
      return;
    }
    let seen = this.accepted.get(key);
    if (!seen) {
      seen = { since: sentAt, count: 0, recent: new Float64Array(RECENT_SUCCESSES).fill(-Infinity), next: 0 };
      remember(this.accepted, key, seen, MAX_KEYS);
    }
    seen.count++;
    seen.recent[seen.next] = this.clock();
    seen.next = (seen.next + 1) % RECENT_SUCCESSES;
  }

  /**
   * A 429 or 503 with Retry-After for a request sent at `sentAt`: nothing goes until then,
   * and afterwards at the pace the upstream had accepted. A throttle of a request sent
   * while pacing means the pace was too fast: it is halved (multiplicative decrease).
   */
  throttled(keys: RateLimitKeys, retryAfterMs: number, sentAt: number): void {
    const key = upstreamKeyOf(keys);
    const now = this.clock();
    const resetAt = now + Math.max(0, retryAfterMs);
    const previous = this.throttles.get(key);
    if (previous && sentAt < Math.max(previous.learnedAt, previous.strayAt ?? -Infinity)) {
      // Sent in the burst that taught the current pace, or with the stray that kept it (the
      // others in flight then): only the reset may move.
      if (resetAt > previous.resetAt) {
        remember(this.throttles, key, { ...previous, resetAt, pace: new TokenBucket(paceOf(previous.perPeriod, previous.periodMs), resetAt), epoch: previous.epoch + 1, lastUsedAt: now }, MAX_KEYS);
      }
      return;
    }
    const periodMs = Math.max(1_000, retryAfterMs);
    const seen = this.accepted.get(key);
    if (previous && this.isStray(previous, seen, now)) {
      remember(this.throttles, key, { ...previous, resetAt: Math.max(resetAt, previous.resetAt), pace: new TokenBucket(paceOf(previous.perPeriod, previous.periodMs), resetAt), epoch: previous.epoch + 1, strayAt: now, lastUsedAt: now }, MAX_KEYS);
      return;
    }
    this.accepted.delete(key);
    // What the upstream took: its successes in the period just before this throttle, or (for
    // rates beyond what the ring remembers) those since the last throttle, scaled to one
    // period. Both are counts it accepted; the average alone would learn too slow a pace
    // after a slow start or a long paced stretch (every relearning slower than the last).
    const averaged = seen ? seen.count * Math.min(1, periodMs / Math.max(1, now - seen.since)) : 0;
    const lastPeriod = tookSince(seen, now - periodMs);
    const learned = Math.max(averaged, lastPeriod);
    // Throttled while pacing: the pace was too fast (the first lesson can count one window's tail
    // with the next one's start). What the upstream just took, at least one below the old pace
    // (and no higher later: its ceiling), and by half when it took nothing.
    const perPeriod = Math.max(1, previous ? (learned > 0 ? Math.min(previous.perPeriod - 1, learned) : previous.perPeriod / 2) : learned);
    const throttle: Throttle = {
      resetAt: previous ? resetAt + resumeJitter(this.random, periodMs) : resetAt,
      periodMs,
      perPeriod,
      pace: new TokenBucket(paceOf(perPeriod, periodMs), resetAt),
      epoch: (previous?.epoch ?? 0) + 1,
      learnedAt: now,
      lastUsedAt: now,
      sent: [],
      ...(previous ? { ceiling: Math.max(1, previous.perPeriod - 1) } : {}),
    };
    remember(this.throttles, key, throttle, MAX_KEYS);
  }

  /** See STRAY_PERIODS. */
  private isStray(previous: Throttle, seen: Accepted | undefined, now: number): boolean {
    if (now - Math.max(previous.learnedAt, previous.strayAt ?? -Infinity) <= STRAY_PERIODS * previous.periodMs) return false;
    return tookSince(seen, now - previous.periodMs) >= 0.75 * allowedPerPeriod(previous);
  }

  private bucketsFor(keys: RateLimitKeys, now: number): TokenBucket[] {
    return bucketsFor(this.config, keys).map(({ key, config }) => this.bucket(key, config, now));
  }

  private bucket(key: string, config: BucketConfig, now: number): TokenBucket {
    const bucket = this.buckets.get(key) ?? new TokenBucket(config, now);
    remember(this.buckets, key, bucket, MAX_KEYS);
    return bucket;
  }
}

/**
 * Smooth pacing at the learned rate less one request a period: evenly spaced, a fixed-window
 * upstream then sees at most its limit in any window, however the windows fall and however
 * the sends jitter by a few milliseconds. (SharedRateLimiter paces the same way.)
 */
function paceOf(perPeriod: number, periodMs: number): BucketConfig {
  return { capacity: 1, refillPerSecond: Math.max(perPeriod - 1, perPeriod / 2) / (periodMs / 1000) };
}

/** Successes the upstream answered after `since`, of those remembered. */
function tookSince(seen: Accepted | undefined, since: number): number {
  return seen ? seen.recent.reduce((n, at) => (at > since ? n + 1 : n), 0) : 0;
}

/** Requests a paced key sends in any one period at most (the WINDOW script in SharedRateLimiter counts the same). */
function allowedPerPeriod(throttle: Pick<Throttle, "perPeriod" | "periodMs">): number {
  return Math.max(1, Math.floor(paceOf(throttle.perPeriod, throttle.periodMs).refillPerSecond * (throttle.periodMs / 1000)));
}

/** The configured buckets a request on these keys draws from, each with its key. */
export function bucketsFor(config: RateLimitConfig, keys: RateLimitKeys): Array<{ key: string; config: BucketConfig }> {
  const found: Array<{ key: string; config: BucketConfig }> = [];
  const perIntegration = keys.integrationLimit ?? config.perIntegration?.[keys.integration] ?? config.perIntegration?.["*"];
  // The config is part of the key, so changing an integration's limit starts a fresh bucket.
  if (perIntegration) found.push({ key: `i:${keys.integration}:${perIntegration.capacity}/${perIntegration.refillPerSecond}`, config: perIntegration });
  if (keys.connection !== null && config.perConnection) found.push({ key: `c:${keys.connection}`, config: config.perConnection });
  return found;
}

/** Upstreams count per credential: a connection's own key, else the integration's. */
export function upstreamKeyOf(keys: RateLimitKeys): string {
  return keys.connection !== null ? `c:${keys.connection}` : `i:${keys.integration}`;
}
