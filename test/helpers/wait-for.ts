// Polls a condition until it holds; the error names what never happened. The timeout only ends a
// hang (a busy 2-core CI machine can take a minute): tests using the default need a vitest timeout
// above it.
import { setTimeout as sleep } from "node:timers/promises";

export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for: ${what}`);
}
