// The second stop signal. The first starts a graceful stop (running jobs finish their batch, up to
// the stop timeout); a second one means "now": the process clears what it holds in the store (job
// locks, run leases) so other workers and the next start need not wait for them to expire
// (lockLifetime: 10 min), then exits. A third ends the process at once (Node's default).
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../platform/log.js";
import type { SignalWatch } from "../platform/signals.js";

/** How long the forced path may spend clearing locks before it exits anyway (ms). */
export const ABANDON_MS = 5_000;

/**
 * Awaits `stopping` (the graceful stop) and then stops listening to `signals`. If the watch's next
 * signal comes first (its second, or its first when the stop began without one: a failed start),
 * runs `abandon` (at most ABANDON_MS; none: nothing to clear) and exits the process with 128 + the
 * signal's number (130, 143).
 */
export async function stopOrForce(
  stopping: Promise<unknown>,
  signals: SignalWatch,
  log: Logger,
  abandon?: () => Promise<number>,
): Promise<void> {
  try {
    const force = signals.fired ? signals.second : signals.received;
    const sig = await Promise.race([stopping.then(() => undefined), force]);
    if (sig === undefined) return;
    if (abandon) {
      log.warn(
        { signal: sig },
        "second stop signal: not waiting for running jobs; clearing their locks, then exiting",
      );
      const running = await Promise.race([
        abandon().catch(() => undefined),
        sleep(ABANDON_MS, undefined, { ref: false }),
      ]);
      if (running === undefined)
        log.warn(
          { withinMs: ABANDON_MS },
          "stopped without waiting, but could not clear the locks (is the store reachable?): the jobs stay locked until lockLifetime",
        );
      else log.info({ abandoned: running }, "stopped without waiting");
    } else {
      log.warn({ signal: sig }, "second stop signal: exiting without waiting");
    }
    process.exit(sig === "SIGINT" ? 130 : 143);
  } finally {
    signals.dispose();
  }
}
