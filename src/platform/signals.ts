// Stop signals for the long-running commands (start, serve, worker, store serve). Listen before
// saying "running": a process that prints its banner and only then listens dies of a Ctrl-C that
// arrives in between (Node's default for SIGINT/SIGTERM ends the process at once, no cleanup).
// The listeners stay through the stop, so the second signal is seen too (it forces the stop:
// src/cli/stop-or-force.ts); only after it does a third signal get Node's default.

/**
 * A copy of the first signal that comes within this many ms of it is the same request: a Ctrl-C
 * under `npm start` reaches node twice, from the terminal and forwarded by npm, a few ms apart.
 * A person's second Ctrl-C comes later than that.
 */
export const SAME_SIGNAL_MS = 500;

export interface SignalWatch {
  /** Resolves with the first of the watched signals to arrive; never rejects. */
  received: Promise<NodeJS.Signals>;
  /** Resolves with a second one, SAME_SIGNAL_MS or more after the first; never rejects. */
  second: Promise<NodeJS.Signals>;
  /** Whether the first has arrived. */
  readonly fired: boolean;
  /** Stops listening (idempotent); pending promises then stay pending. */
  dispose(): void;
}

/**
 * Listens for `signals` (default SIGINT and SIGTERM) from this call on, until the second signal
 * (then a third one ends the process the usual way) or dispose(). Call dispose() on paths that
 * end without a second signal.
 */
export function watchSignals(
  signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
  sameMs = SAME_SIGNAL_MS,
): SignalWatch {
  let firstAt: number | undefined;
  let onFirst: (sig: NodeJS.Signals) => void = () => {};
  let onSecond: (sig: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((r) => {
    onFirst = r;
  });
  const second = new Promise<NodeJS.Signals>((r) => {
    onSecond = r;
  });
  const dispose = () => {
    for (const sig of signals) process.off(sig, on);
  };
  function on(sig: NodeJS.Signals) {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      onFirst(sig);
    } else if (now - firstAt >= sameMs) {
      dispose();
      onSecond(sig);
    }
  }
  for (const sig of signals) process.on(sig, on);
  return {
    received,
    second,
    get fired() {
      return firstAt !== undefined;
    },
    dispose,
  };
}
