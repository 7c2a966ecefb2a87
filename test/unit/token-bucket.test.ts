// The budget's arithmetic (src/connectors/token-bucket.ts): a state and an instant in, a grant or a
// wait out. No clock: every instant is given.
import { describe, expect, it } from "vitest";
import {
  type BucketLimit,
  type BucketState,
  fullBucket,
  MIN_PACE,
  PACE_RECOVERY_MS,
  paceAt,
  penalize,
  take,
} from "../../src/connectors/token-bucket.js";

// 2 requests a second, a bucket of 4.
const LIMIT: BucketLimit = { ratePerMs: 2 / 1000, burst: 4 };
const T0 = 1_000_000;

/** Takes n tokens at `now`, returning each wait and the last state. */
function takeN(s: BucketState | undefined, n: number, now: number, maxWaitMs = 60_000) {
  const waits: number[] = [];
  let state = s;
  for (let i = 0; i < n; i++) {
    const g = take(state, LIMIT, now, maxWaitMs);
    if (!g.ok) throw new Error(`refused after ${i}`);
    waits.push(g.waitMs);
    state = g.state;
  }
  return { waits, state: state as BucketState };
}

describe("token bucket", () => {
  it("starts full: the burst goes at once, then one token every 1/rate", () => {
    const { waits, state } = takeN(undefined, 7, T0);
    expect(waits).toEqual([0, 0, 0, 0, 500, 1000, 1500]);
    expect(state.tokens).toBeCloseTo(-3);
  });

  it("refills with time, never beyond the burst", () => {
    const { state } = takeN(undefined, 4, T0);
    expect(take(state, LIMIT, T0 + 250, 0)).toMatchObject({ ok: false, waitMs: 250 });
    expect(take(state, LIMIT, T0 + 500, 0)).toMatchObject({ ok: true, waitMs: 0 });
    // An hour later: 4 tokens, not 7,200.
    const later = takeN(state, 5, T0 + 3_600_000).waits;
    expect(later).toEqual([0, 0, 0, 0, 500]);
  });

  it("refuses without reserving when the token is further than maxWaitMs, saying when it would come", () => {
    const { state } = takeN(undefined, 6, T0);
    const g = take(state, LIMIT, T0, 900);
    expect(g).toEqual({ ok: false, waitMs: 1500 });
    // Nothing was reserved: the same ask with a longer bound gets that same token.
    expect(take(state, LIMIT, T0, 1500)).toMatchObject({ ok: true, waitMs: 1500 });
  });

  it("never grants more than burst + rate × span in any span", () => {
    // Callers asking at random instants over 20 s: the grants' start instants.
    let state: BucketState | undefined;
    const starts: number[] = [];
    let now = T0;
    for (let i = 0; i < 200; i++) {
      now += (i * 7919) % 300;
      const g = take(state, LIMIT, now, 60_000);
      if (!g.ok) continue;
      state = g.state;
      starts.push(now + g.waitMs);
    }
    starts.sort((a, b) => a - b);
    for (let i = 0; i < starts.length; i++)
      for (let j = i; j < starts.length; j++) {
        const span = (starts[j] as number) - (starts[i] as number);
        expect(j - i + 1).toBeLessThanOrEqual(LIMIT.burst + Math.floor(span * LIMIT.ratePerMs) + 1);
      }
  });

  it("a 429 pauses until Retry-After, empties the bucket (no refill during the pause) and halves the pace", () => {
    const s = penalize(fullBucket(LIMIT, T0), LIMIT, T0, 3_000);
    expect(s).toEqual({ tokens: 0, at: T0 + 3_000, pausedUntil: T0 + 3_000, pace: 0.5, paceAt: T0 });
    // The first token after the pause: at the pause's end plus one token's time at half pace
    // (pace there is 0.5 + 3 s / 60 s = 0.55: 1 / (2 × 0.55) s).
    const g = take(s, LIMIT, T0 + 1_000, 60_000);
    expect(g.ok).toBe(true);
    expect(g.waitMs).toBe(2_000 + Math.ceil(1000 / (2 * 0.55)));
  });

  it("counts the 429s of one pause once, and never goes below MIN_PACE", () => {
    let s = penalize(undefined, LIMIT, T0, 1_000);
    s = penalize(s, LIMIT, T0 + 10, 2_000); // in flight with the first: same signal
    expect(s.pace).toBe(0.5);
    expect(s.pausedUntil).toBe(T0 + 2_010);
    let at = T0 + 2_010;
    for (let i = 0; i < 10; i++) {
      s = penalize(s, LIMIT, at, 1_000);
      at += 1_000;
    }
    expect(s.pace).toBeGreaterThanOrEqual(MIN_PACE);
    expect(s.pace).toBeLessThan(0.1);
  });

  it("the pace grows back linearly to full within PACE_RECOVERY_MS", () => {
    const s = penalize(undefined, LIMIT, T0, 0);
    expect(paceAt(s, T0)).toBe(0.5);
    expect(paceAt(s, T0 + PACE_RECOVERY_MS / 4)).toBe(0.75);
    expect(paceAt(s, T0 + PACE_RECOVERY_MS / 2)).toBe(1);
    expect(paceAt(s, T0 + 10 * PACE_RECOVERY_MS)).toBe(1);
  });

  it("a reservation made before a 429 stays; the next ones wait for the pause", () => {
    const { state } = takeN(undefined, 5, T0); // the 5th waits 500 ms
    const s = penalize(state, LIMIT, T0 + 100, 2_000);
    expect(s.tokens).toBeLessThan(0);
    const g = take(s, LIMIT, T0 + 100, 60_000);
    expect(g.ok && g.waitMs).toBeGreaterThanOrEqual(2_000);
  });
});
