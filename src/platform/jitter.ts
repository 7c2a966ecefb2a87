// Jitter, so many processes that wait the same time do not act in step.

/** ms ± 10 %, rounded to whole ms; `random` returns [0, 1) (Math.random by default). */
export function jittered(ms: number, random = Math.random): number {
  return Math.round(ms * (0.9 + 0.2 * random()));
}

/** A random wait in [minMs, minMs + spreadMs), for retry loops. */
export function randomDelay(minMs: number, spreadMs: number, random = Math.random): number {
  return minMs + random() * spreadMs;
}
