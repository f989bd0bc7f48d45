import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.js";

/** A limiter on a fake clock (sleeping moves it) and one connection's keys. */
function setup() {
  const time = { now: 0 };
  const limiter = new RateLimiter({}, () => time.now, async (ms) => void (time.now += ms));
  const keys = { connection: "con_1", integration: "int_1" };
  /** Sends one request after another (each acquires first, and is accepted) until the clock reaches `until`; at most 1 000. */
  const sendUntil = async (until: number) => {
    for (let sent = 0; sent < 1_000; sent++) {
      await limiter.acquire(keys, 60_000);
      if (time.now >= until) return sent;
      limiter.accept(keys, time.now);
    }
    return 1_000;
  };
  return { time, limiter, keys, sendUntil };
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
