import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RateLimiter, STRAY_PERIODS, type Limiter } from "./rate-limit.js";
import { SharedRateLimiter } from "./shared-rate-limit.js";
import { seededRandom } from "../../test/support/seeded-random.js";

const REDIS_URL = "redis://127.0.0.1:6379";

/** A limiter on a fake clock (sleeping moves it) and one connection's keys. */
function setup() {
  const time = { now: 0 };
  // Resumes at the Retry-After exactly (no jitter): these tests count sends in set seconds after it.
  const limiter = new RateLimiter({}, () => time.now, async (ms) => void (time.now += ms), () => 0);
  const keys = { connection: "con_1", integration: "int_1" };
  return { time, limiter, keys, sendUntil: sender(limiter, keys, time) };
}

/** Sends one request after another (each acquires first, and is accepted) until the clock reaches `until`; at most 1 000. */
function sender(limiter: Limiter, keys: { connection: string; integration: string }, time: { now: number }) {
  return async (until: number) => {
    for (let sent = 0; sent < 1_000; sent++) {
      await limiter.acquire(keys, 60_000);
      if (time.now >= until) return sent;
      limiter.accept(keys, time.now);
    }
    return 1_000;
  };
}

describe("RateLimiter pacing learned from Retry-After", () => {
  it("learns the rate the upstream took just before it throttled, not the average since a slow start", async () => {
    const { time, limiter, keys, sendUntil } = setup();
    // 5 s at 10 a second, then a second at 50, then a 429 with Retry-After: 1.
    for (let i = 0; i < 50; i++) limiter.accept(keys, (time.now = i * 100));
    for (let i = 0; i < 50; i++) limiter.accept(keys, (time.now = 5_000 + i * 20));
    time.now = 6_000;
    limiter.throttled(keys, 1_000, 6_000);
    // Nothing before the reset, then what it took in the last second (49: the one at 5 000 ms is
    // a period before) less one (the average would have paced at 15).
    expect(await sendUntil(7_000)).toBe(0);
    const paced = await sendUntil(8_000);
    expect(paced).toBeGreaterThanOrEqual(47);
    expect(paced).toBeLessThanOrEqual(48);
  });

  it("keeps the learned pace through a quiet stretch instead of probing faster or releasing a burst", async () => {
    const { time, limiter, keys, sendUntil } = setup();
    for (let i = 0; i < 40; i++) limiter.accept(keys, (time.now = i * 20));
    time.now = 1_000;
    limiter.throttled(keys, 1_000, 1_000);
    await sendUntil(2_000);
    const paced = await sendUntil(10_000);
    expect(paced / 8).toBeGreaterThanOrEqual(38);
    expect(paced / 8).toBeLessThanOrEqual(39);
    // Thirty quiet seconds after the throttle: still 40 - 1 a second (a probe would buy a 429).
    await sendUntil(31_100);
    const later = await sendUntil(32_100);
    expect(later).toBeGreaterThanOrEqual(38);
    expect(later).toBeLessThanOrEqual(39);
  });

  it("lowers the pace to what the upstream took, not blindly by half, when a paced request is throttled", async () => {
    const { time, limiter, keys, sendUntil } = setup();
    for (let i = 0; i < 60; i++) limiter.accept(keys, (time.now = i * 10));
    time.now = 1_000;
    limiter.throttled(keys, 1_000, 1_000); // 60 a second learned: paced at 59
    await sendUntil(2_000);
    const took = await sendUntil(3_000);
    expect(took).toBeGreaterThanOrEqual(58);
    limiter.throttled(keys, 1_000, time.now - 1); // sent while pacing: too fast after all
    await sendUntil(time.now + 1_000);
    const after = await sendUntil(time.now + 1_000);
    // One below what it took, less one (halving would pace at 30).
    expect(after).toBeGreaterThanOrEqual(55);
    expect(after).toBeLessThanOrEqual(57);
  });
});

/** Both limiters on a fake clock (sleeping moves it): the shared one keeps its state in a real Redis under a prefix of its own. */
const prefixes: string[] = [];
const shared: SharedRateLimiter[] = [];
afterAll(async () => {
  await Promise.all(shared.map((limiter) => limiter.close()));
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});
const limiters: Record<"in-process" | "shared (Redis)", (time: { now: number }, random?: () => number) => Limiter> = {
  "in-process": (time, random = () => 0) => new RateLimiter({}, () => time.now, async (ms) => void (time.now += ms), random),
  "shared (Redis)": (time, random = () => 0) => {
    const prefix = `wg-test-${randomBytes(6).toString("hex")}`;
    prefixes.push(prefix);
    const limiter = new SharedRateLimiter({ url: REDIS_URL, prefix }, {}, () => time.now, async (ms) => void (time.now += ms), () => {}, random);
    shared.push(limiter);
    return limiter;
  },
};

describe.each(Object.keys(limiters) as Array<keyof typeof limiters>)("a stray throttle on the %s limiter", (kind) => {
  function setup() {
    const time = { now: 1_000_000 };
    const limiter = limiters[kind](time);
    const keys = { connection: "con_1", integration: "int_1" };
    const sendUntil = sender(limiter, keys, time);
    /** 50 taken in a second, then a 429 with Retry-After: 1: paced at 49 a second from the reset on. */
    const learn = async () => {
      for (let i = 0; i < 50; i++) limiter.accept(keys, (time.now += 20));
      limiter.throttled(keys, 1_000, time.now);
      await sendUntil(time.now + 1_000);
    };
    return { time, limiter, keys, sendUntil, learn };
  }

  it("keeps the pace through a lone 429 while the upstream took the pace, and honours its Retry-After", async () => {
    const { time, limiter, keys, sendUntil, learn } = setup();
    await learn();
    await sendUntil(time.now + (STRAY_PERIODS - 3) * 1_000);
    // 49 a second (five seconds, to be clear of where the reservations fall in a second).
    expect(await sendUntil(time.now + 5_000)).toBeGreaterThanOrEqual(244);
    limiter.throttled(keys, 1_000, time.now - 1);
    // Others in flight with it come back throttled too: the same stray, not a second one.
    limiter.throttled(keys, 1_000, time.now - 2);
    limiter.throttled(keys, 1_000, time.now - 1);
    // Nothing goes until the reset, then the same pace as before (not one below it).
    expect(await sendUntil(time.now + 990)).toBe(0);
    await sendUntil(time.now + 1_000);
    expect(await sendUntil(time.now + 5_000)).toBeGreaterThanOrEqual(244);
  });

  it("lowers the pace when a second 429 follows the stray within its periods: the pace was too fast after all", async () => {
    const { time, limiter, keys, sendUntil, learn } = setup();
    await learn();
    await sendUntil(time.now + (STRAY_PERIODS + 2) * 1_000);
    limiter.throttled(keys, 1_000, time.now - 1); // the stray: forgiven
    await sendUntil(time.now + 3_000);
    limiter.throttled(keys, 1_000, time.now - 1); // again, two periods later: lowered
    await sendUntil(time.now + 2_000);
    expect(await sendUntil(time.now + 5_000)).toBeLessThanOrEqual(240);
  });

  it("lowers a pace that was too fast to what the upstream took, and successes then in flight do not raise it back", async () => {
    const { time, limiter, keys, sendUntil, learn } = setup();
    await learn();
    await sendUntil(time.now + 3_000);
    const throttledAt = time.now;
    limiter.throttled(keys, 1_000, throttledAt - 1); // took 49 in the last second: paced at 48 now
    for (let i = 1; i <= 5; i++) limiter.accept(keys, throttledAt - i); // in flight at the 429, answered after it
    await sendUntil(time.now + 2_000);
    const paced = await sendUntil(time.now + 5_000);
    expect(paced).toBeGreaterThanOrEqual(238);
    expect(paced).toBeLessThanOrEqual(241);
  });

  it("lowers the pace at a 429 soon after the lesson: the first pace can be one window's tail plus the next one's start", async () => {
    const { time, limiter, keys, sendUntil, learn } = setup();
    await learn();
    await sendUntil(time.now + 2_000);
    limiter.throttled(keys, 1_000, time.now - 1);
    await sendUntil(time.now + 2_000);
    expect(await sendUntil(time.now + 5_000)).toBeLessThanOrEqual(240);
  });
});

describe.each(Object.keys(limiters) as Array<keyof typeof limiters>)("a first lesson learned across a window boundary, on the %s limiter", (kind) => {
  /**
   * A fixed-window upstream (50 a wall-clock second), and a burst at 100 a second that starts
   * 300 ms before a window ends: the first lesson counts 30 + 50 taken in its last second, and
   * its 429 comes halfway through a window. Runs a minute; answers the seconds that had a 429,
   * and the sends accepted in the last 30 seconds.
   */
  async function run(random: () => number) {
    const LIMIT = 50;
    const time = { now: 999_700 };
    const limiter = limiters[kind](time, random);
    const keys = { connection: "con_1", integration: "int_1" };
    let window = -1;
    let inWindow = 0;
    const throttledAt: number[] = [];
    let acceptedLate = 0;
    while (time.now < 1_060_000) {
      await limiter.acquire(keys, 60_000);
      const sentAt = time.now;
      const second = Math.floor(sentAt / 1000);
      if (second !== window) [window, inWindow] = [second, 0];
      if (++inWindow > LIMIT) {
        throttledAt.push(sentAt);
        limiter.throttled(keys, 1_000, sentAt);
      } else {
        if (sentAt >= 1_030_000) acceptedLate++;
        limiter.accept(keys, sentAt);
      }
      time.now += 10; // each send takes the caller 10 ms
    }
    return { lessons: [...new Set(throttledAt.map((at) => Math.floor(at / 1000)))], acceptedLate };
  }

  it("comes down to the upstream's limit in a few lessons with the resume jitter, where it took one lesson a request without", async () => {
    // Without: every lesson resumes where the 429 fell in its window, and learns the rest of
    // one window plus the next one's limit, one less each time (the scenario is the slow one).
    const without = await run(() => 0);
    expect(without.lessons.length).toBeGreaterThanOrEqual(15);
    const jittered = await run(seededRandom(1));
    expect(jittered.lessons.length).toBeLessThanOrEqual(8);
    // Then paced just under the limit: no 429 and about 49 a second over the last 30 seconds.
    expect(jittered.lessons.filter((second) => second >= 1_030)).toEqual([]);
    expect(jittered.acceptedLate).toBeGreaterThanOrEqual(48 * 30);
  }, 60_000);
});
