// The arithmetic of an API budget, pure: a token bucket (the leaky bucket Shopify documents, seen
// from the client) whose tokens may go below zero. A request that finds no token reserves the next
// one and is told how long to wait for it (the reservation of Go's x/time/rate and of GCRA), so a
// caller never polls the store: one atomic update per request, then a timer. Over any span of T ms
// at most burst + T × rate requests start.
//
// A 429 (src/connectors/budget.ts) pauses the bucket until its Retry-After and halves the pace;
// the pace then grows back linearly to the configured rate within PACE_RECOVERY_MS: additive
// increase, multiplicative decrease, as TCP's congestion control (RFC 5681 §3.1). Only the first
// 429 of a pause halves it: the requests already in flight when the remote bucket ran dry answer
// 429 too, and they are one signal, not many.

/** The configured budget as a rate. */
export interface BucketLimit {
  /** Tokens per millisecond at full pace (requests / per). */
  ratePerMs: number;
  burst: number;
}

/** What the store keeps per budget; all instants are epoch ms. */
export interface BucketState {
  /** Tokens at `at`; negative: requests reserved ahead. */
  tokens: number;
  at: number;
  /** No request starts before this (a 429's Retry-After). */
  pausedUntil: number;
  /** Fraction of the configured rate at paceAt, MIN_PACE..1. */
  pace: number;
  paceAt: number;
}

export type Grant =
  | { ok: true; waitMs: number; state: BucketState }
  | { ok: false; waitMs: number; state?: undefined };

/** The lowest pace after repeated 429s: 1/16 of the configured rate (four halvings). */
export const MIN_PACE = 1 / 16;
/** A pace of 0 would be back at full rate after this long (so a halved pace: half of it). */
export const PACE_RECOVERY_MS = 60_000;

export function fullBucket(limit: BucketLimit, now: number): BucketState {
  return { tokens: limit.burst, at: now, pausedUntil: 0, pace: 1, paceAt: now };
}

/** The pace at `now`: the last decrease plus the linear recovery since, at most 1. */
export function paceAt(s: BucketState, now: number): number {
  return Math.min(1, s.pace + Math.max(0, now - s.paceAt) / PACE_RECOVERY_MS);
}

/** Tokens at `t` ≥ s.at, at the pace of `t` (a lower pace only refills more slowly). */
function level(s: BucketState, limit: BucketLimit, t: number): number {
  const rate = limit.ratePerMs * paceAt(s, t);
  return Math.min(limit.burst, s.tokens + Math.max(0, t - s.at) * rate);
}

/**
 * One request's token. ok: the token is the caller's once waitMs (≥ 0) has passed, and `state` is
 * the bucket to store. Not ok: the token would come later than maxWaitMs from now; nothing is
 * reserved and waitMs says when one would come.
 */
export function take(s: BucketState | undefined, limit: BucketLimit, now: number, maxWaitMs: number): Grant {
  const st = s ?? fullBucket(limit, now);
  const start = Math.max(now, st.pausedUntil, st.at);
  const left = level(st, limit, start) - 1;
  const rate = limit.ratePerMs * paceAt(st, start);
  const waitMs = Math.ceil(start - now + (left < 0 ? -left / rate : 0));
  if (waitMs > maxWaitMs) return { ok: false, waitMs };
  return { ok: true, waitMs, state: { ...st, tokens: left, at: start } };
}

/**
 * The bucket after a 429 at `now` that asks to come back in retryAfterMs: paused until then, no
 * token left over and none refilled during the pause (reservations already made stay), the pace
 * halved unless already paused.
 */
export function penalize(
  s: BucketState | undefined,
  limit: BucketLimit,
  now: number,
  retryAfterMs: number,
): BucketState {
  const st = s ?? fullBucket(limit, now);
  const until = Math.max(st.pausedUntil, now + Math.max(0, retryAfterMs));
  // Empty now, and refilling only from the pause's end: the first request after it waits a token.
  const tokens = Math.min(level(st, limit, Math.max(st.at, now)), 0);
  const at = Math.max(st.at, until);
  if (now < st.pausedUntil) return { ...st, tokens, at, pausedUntil: until };
  return { tokens, at, pausedUntil: until, pace: Math.max(MIN_PACE, paceAt(st, now) / 2), paceAt: now };
}
