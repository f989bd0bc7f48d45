import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { rateLimitWaitExceeded } from "./problems.js";
import type { RateLimitState } from "./rate-limit-headers.js";
import { bucketsFor, STRAY_PERIODS, upstreamKeyOf, type Limiter, type RateLimitKeys } from "./rate-limit.js";
import type { RateLimitConfig } from "./types.js";

export interface SharedRateLimitOptions {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Prefix of the limiter's keys (WAYGATE_REDIS_PREFIX). */
  prefix: string;
}

/** A learned pace lasts this long after the throttle that taught it (then the next burst relearns it). */
const PACE_TTL_MS = 10 * 60_000;
/** Successes are remembered this long, to learn a pace from (Retry-After periods longer than this count what is left). */
const SUCCESS_WINDOW_MS = 60_000;
/**
 * A send whose gate answer came back this much later than the gate counted it (the process
 * was busy, or not scheduled, while Redis answered) is counted again at the time it goes.
 */
const LATE_GATE_MS = 2;

/*
 * The scripts run atomically in Redis, so every process's reservations come out of one
 * bucket in order. Times are the callers' clocks (milliseconds); buckets hold fractional
 * tokens and may go below zero (a reservation for later), like TokenBucket.
 */

/**
 * KEYS[1] learned budget (hash remaining, resetAt), KEYS[2] throttle (hash resetAt, perMs, tokens,
 * updatedAt, ...), KEYS[3..] configured buckets (hash tokens, updatedAt).
 * ARGV: now, maxWait, then capacity and refill per second of each configured bucket.
 * Returns {reserved (1) or refused (0), wait ms as a string, the pace's epoch (pacedFrom) or ""}.
 */
const ACQUIRE = `
local now = tonumber(ARGV[1])
local maxWait = tonumber(ARGV[2])
local wait = 0
local budget = redis.call('HMGET', KEYS[1], 'remaining', 'resetAt')
local remaining, budgetReset = tonumber(budget[1]), tonumber(budget[2])
local useBudget = remaining ~= nil and budgetReset ~= nil and budgetReset > now
if useBudget and remaining < 1 then wait = math.max(wait, budgetReset - now) end
local t = redis.call('HMGET', KEYS[2], 'resetAt', 'perMs', 'tokens', 'updatedAt', 'pacedFrom')
local epoch = t[5] or ""
local resetAt, perMs = tonumber(t[1]), tonumber(t[2])
local paceTokens, paceAt
if perMs then
  local start = math.max(now, resetAt)
  paceAt = math.max(tonumber(t[4]), start)
  paceTokens = math.min(1, tonumber(t[3]) + math.max(0, start - tonumber(t[4])) * perMs)
  local paceWait = 0
  if paceTokens < 1 then paceWait = (1 - paceTokens) / perMs end
  wait = math.max(wait, start - now + paceWait)
end
local buckets = {}
for i = 3, #KEYS do
  local capacity = tonumber(ARGV[2 * i - 3])
  local perMsBucket = tonumber(ARGV[2 * i - 2]) / 1000
  local s = redis.call('HMGET', KEYS[i], 'tokens', 'updatedAt')
  local tokens = tonumber(s[1]) or capacity
  local updatedAt = tonumber(s[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - updatedAt) * perMsBucket)
  buckets[i] = { tokens, capacity / perMsBucket }
  if tokens < 1 then wait = math.max(wait, (1 - tokens) / perMsBucket) end
end
if wait > maxWait then return { 0, tostring(wait), epoch } end
for i = 3, #KEYS do
  redis.call('HSET', KEYS[i], 'tokens', tostring(buckets[i][1] - 1), 'updatedAt', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(buckets[i][2] + wait + 60000))
end
if perMs then redis.call('HSET', KEYS[2], 'tokens', tostring(paceTokens - 1), 'updatedAt', tostring(paceAt)) end
if useBudget and remaining >= 1 then redis.call('HINCRBYFLOAT', KEYS[1], 'remaining', -1) end
return { 1, tostring(wait), epoch }
`;

/**
 * A 429/503 with Retry-After. KEYS[1] throttle, KEYS[2] successes (sorted set by time).
 * ARGV: now, retryAfterMs, sentAt, pace TTL, stray periods, a random fraction. The pace is what every process
 * together had the upstream accept in the period before it throttled, less one request: a
 * fixed-window upstream then never sees more than its limit in a window, however the windows fall.
 * Returns 1 (a pace learned or lowered), 2 (a stray: the reset honoured, the pace kept), 0 (old news).
 */
const THROTTLED = `
local now, retryAfter, sentAt, ttl, strayPeriods, jitter = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local resetAt = now + math.max(0, retryAfter)
local t = redis.call('HMGET', KEYS[1], 'resetAt', 'perPeriod', 'pacedFrom', 'periodMs', 'learnedAt', 'strayAt')
local previousReset, previousPerPeriod, pacedFrom = tonumber(t[1]), tonumber(t[2]), tonumber(t[3])
if previousPerPeriod and sentAt < pacedFrom then
  -- Sent before pacing began (in the burst that taught the pace, from any process): only the reset may move.
  if resetAt > previousReset then
    redis.call('HSET', KEYS[1], 'resetAt', tostring(resetAt), 'tokens', '0', 'updatedAt', tostring(resetAt))
  end
  return 0
end
local period = math.max(1000, retryAfter)
local learned = redis.call('ZCOUNT', KEYS[2], '(' .. tostring(now - period), '+inf')
local perPeriod = learned
if previousPerPeriod then
  -- A stray: the first throttle in strayPeriods periods, while the upstream was taking about the
  -- pace (at least three quarters of it in the last period). A pace that is really too fast is
  -- refused again within a period or two; a stray is timing (a send that reached the upstream's
  -- next window late), and lowering the pace for it would cost every later period a request.
  local previousPeriod = tonumber(t[4])
  local quietSince = math.max(tonumber(t[5]) or 0, tonumber(t[6]) or 0)
  local allowed = math.max(1, math.floor(math.max(previousPerPeriod - 1, previousPerPeriod / 2)))
  if now - quietSince > strayPeriods * previousPeriod and learned >= 0.75 * allowed then
    -- The reset is honoured (a new epoch: waiters queue again behind it); the pace and the successes stay.
    redis.call('HSET', KEYS[1], 'resetAt', tostring(math.max(resetAt, previousReset)), 'tokens', '0', 'updatedAt', tostring(resetAt), 'pacedFrom', tostring(resetAt), 'strayAt', tostring(now))
    redis.call('PEXPIRE', KEYS[1], ttl)
    return 2
  end
  -- Throttled while pacing: the pace was too fast (the first lesson can count one window's tail
  -- with the next one's start). What the upstream just took in a period, at least one below the
  -- old pace (and no higher later: see ceiling in ACCEPTED), and by half when it took nothing.
  if learned > 0 then perPeriod = math.min(previousPerPeriod - 1, learned) else perPeriod = previousPerPeriod / 2 end
  -- A lowered pace resumes at a random point of a period (see resumeJitter in rate-limit.ts).
  resetAt = resetAt + math.floor(jitter * period)
end
perPeriod = math.max(1, perPeriod)
local paced = math.max(perPeriod - 1, perPeriod / 2)
redis.call('HSET', KEYS[1], 'resetAt', tostring(resetAt), 'periodMs', tostring(period), 'perPeriod', tostring(perPeriod),
  'perMs', tostring(paced / period), 'tokens', '0', 'updatedAt', tostring(resetAt), 'pacedFrom', tostring(resetAt), 'learnedAt', tostring(now))
if previousPerPeriod then redis.call('HSET', KEYS[1], 'ceiling', tostring(math.max(1, previousPerPeriod - 1))) else redis.call('HDEL', KEYS[1], 'ceiling') end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('DEL', KEYS[2])
return 1
`;

/**
 * A request the upstream accepted. KEYS[1] throttle, KEYS[2] successes. ARGV: now, sentAt,
 * a unique member, window. One sent before the throttle that taught the pace (in flight then,
 * in any process) raises the pace by one: the upstream took one more than was counted. A pace
 * lowered while pacing is not raised back to the pace that was too fast (its ceiling).
 */
const ACCEPTED = `
local now, sentAt, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local t = redis.call('HMGET', KEYS[1], 'perPeriod', 'learnedAt', 'periodMs', 'ceiling')
local perPeriod, learnedAt, period, ceiling = tonumber(t[1]), tonumber(t[2]), tonumber(t[3]), tonumber(t[4])
if perPeriod and sentAt < learnedAt then
  if ceiling == nil or perPeriod + 1 <= ceiling then
    perPeriod = perPeriod + 1
    redis.call('HSET', KEYS[1], 'perPeriod', tostring(perPeriod), 'perMs', tostring(math.max(perPeriod - 1, perPeriod / 2) / period))
  end
  return 0
end
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. tostring(now - window))
redis.call('PEXPIRE', KEYS[2], window)
return 1
`;

/**
 * The last gate of a paced request, as RateLimiter.windowSlot: at most the pace's count in
 * any period, counted when requests actually go (late-waking callers would otherwise go
 * together into the upstream's next window). KEYS[1] throttle, KEYS[2] send times (sorted set).
 * ARGV: now, the pace's epoch (pacedFrom) the caller queued under, a unique member.
 * Returns 0 (go), -1 (a new pace since: queue again), or the ms to wait before asking again.
 */
const WINDOW = `
local now = tonumber(ARGV[1])
local t = redis.call('HMGET', KEYS[1], 'perPeriod', 'periodMs', 'pacedFrom')
local perPeriod, period = tonumber(t[1]), tonumber(t[2])
if not perPeriod then return 0 end
if (t[3] or "") ~= ARGV[2] then return -1 end
local allowed = math.max(1, math.floor(math.max(perPeriod - 1, perPeriod / 2)))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tostring(now - period))
if redis.call('ZCARD', KEYS[2]) < allowed then
  redis.call('ZADD', KEYS[2], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], math.ceil(period))
  return 0
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2])
return math.max(1, math.ceil(oldest + period - now))
`;

interface LimiterScripts {
  waygateAcquire(...args: Array<string | number>): Promise<[number, string, string]>;
  waygateThrottled(...args: Array<string | number>): Promise<number>;
  waygateAccepted(...args: Array<string | number>): Promise<number>;
  waygateWindow(...args: Array<string | number>): Promise<number>;
}

/**
 * The gateway's rate limiter when Redis is configured: the configured buckets (per
 * integration, per connection), the budget an upstream announced in its headers and the
 * pace a 429 taught live in Redis, so every server and worker process draws on one budget
 * per integration and per connection. Invokes and batch items in any process queue in one
 * order. (BullMQ's own limiter is per queue; this is per upstream credential.)
 */
export class SharedRateLimiter implements Limiter {
  private readonly redis: Redis & LimiterScripts;
  private readonly prefix: string;

  constructor(
    options: SharedRateLimitOptions,
    private readonly config: RateLimitConfig,
    private readonly clock: () => number,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
    private readonly onError: (error: unknown) => void = () => {},
    /** Where a lowered pace resumes within a period (see resumeJitter). */
    private readonly random: () => number = Math.random,
  ) {
    this.redis = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 3 }) as Redis & LimiterScripts;
    this.redis.on("error", (error) => this.onError(error));
    this.redis.defineCommand("waygateAcquire", { lua: ACQUIRE });
    this.redis.defineCommand("waygateThrottled", { numberOfKeys: 2, lua: THROTTLED });
    this.redis.defineCommand("waygateAccepted", { numberOfKeys: 2, lua: ACCEPTED });
    this.redis.defineCommand("waygateWindow", { numberOfKeys: 2, lua: WINDOW });
    this.prefix = `${options.prefix}:rl`;
  }

  async acquire(keys: RateLimitKeys, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    const upstream = upstreamKeyOf(keys);
    const buckets = bucketsFor(this.config, keys);
    const names = [this.key("budget", upstream), this.key("pace", upstream), ...buckets.map((bucket) => this.key("bucket", bucket.key))];
    const configs = buckets.flatMap((bucket) => [bucket.config.capacity, bucket.config.refillPerSecond]);
    const deadline = this.clock() + maxWaitMs;
    for (;;) {
      const [reserved, waitText, epoch] = await this.redis.waygateAcquire(names.length, ...names, this.clock(), Math.max(0, deadline - this.clock()), ...configs);
      const wait = Number(waitText);
      if (reserved === 0) throw rateLimitWaitExceeded(wait, maxWaitMs);
      if (wait > 0) await this.sleep(wait, signal);
      // Unpaced and nothing to wait for: go. Otherwise the window gate, which also tells whether
      // a throttle learned (in any process) while this caller slept voided its reservation.
      if (epoch === "" && wait === 0) return;
      if (await this.windowSlot(names[1]!, this.key("sent", upstream), epoch, deadline, maxWaitMs, signal)) return;
    }
  }

  /**
   * See WINDOW. False when a new pace arrived meanwhile (from any process): queue again under it.
   * The gate counts a send at the time it asked; when its answer comes back late (this process
   * was busy or not scheduled meanwhile), the send goes late, and could reach a fixed-window
   * upstream in its next window while counted in the last one: it is counted again at the time
   * it goes (ZADD XX GT moves only this send, and only later).
   */
  private async windowSlot(paceKey: string, sentKey: string, epoch: string, deadline: number, maxWaitMs: number, signal?: AbortSignal): Promise<boolean> {
    const member = randomBytes(6).toString("hex");
    for (;;) {
      const asked = this.clock();
      const wait = await this.redis.waygateWindow(paceKey, sentKey, asked, epoch, member);
      if (wait === 0) {
        const goes = this.clock();
        if (goes - asked > LATE_GATE_MS) this.redis.zadd(sentKey, "XX", "GT", goes, member).catch(this.onError);
        return true;
      }
      if (wait < 0) return false;
      if (this.clock() + wait > deadline) throw rateLimitWaitExceeded(wait, maxWaitMs);
      await this.sleep(wait, signal);
    }
  }

  learn(keys: RateLimitKeys, state: RateLimitState | null): void {
    if (!state || state.resetMs <= 0) return;
    const key = this.key("budget", upstreamKeyOf(keys));
    this.redis
      .multi()
      .hset(key, "remaining", state.remaining, "resetAt", this.clock() + state.resetMs)
      .pexpire(key, Math.ceil(state.resetMs))
      .exec()
      .catch(this.onError);
  }

  accept(keys: RateLimitKeys, sentAt: number): void {
    const upstream = upstreamKeyOf(keys);
    const member = `${this.clock()}:${randomBytes(6).toString("hex")}`;
    this.redis.waygateAccepted(this.key("pace", upstream), this.key("ok", upstream), this.clock(), sentAt, member, SUCCESS_WINDOW_MS).catch(this.onError);
  }

  throttled(keys: RateLimitKeys, retryAfterMs: number, sentAt: number): void {
    const upstream = upstreamKeyOf(keys);
    this.redis.waygateThrottled(this.key("pace", upstream), this.key("ok", upstream), this.clock(), retryAfterMs, sentAt, PACE_TTL_MS, STRAY_PERIODS, this.random()).catch(this.onError);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private key(kind: string, name: string): string {
    return `${this.prefix}:${kind}:${name}`;
  }
}
