// Stop signals for the long-running commands (start, serve, worker, store serve). Listen before
// saying "running": a process that prints its banner and only then listens dies of a Ctrl-C that
// arrives in between (Node's default for SIGINT/SIGTERM ends the process at once, no cleanup).

export interface SignalWatch {
  /** Resolves with the first of the watched signals to arrive; never rejects. */
  received: Promise<NodeJS.Signals>;
  /** Whether one has arrived. */
  readonly fired: boolean;
  /** Stops listening (idempotent); `received` then stays pending unless a signal already came. */
  dispose(): void;
}

/**
 * Listens for `signals` (default SIGINT and SIGTERM) from this call on. The first one resolves
 * `received` and removes the listeners, so a second Ctrl-C during shutdown ends the process the
 * usual way. Call dispose() on paths that end without waiting for a signal.
 */
export function watchSignals(signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"]): SignalWatch {
  let fired = false;
  let resolve: (sig: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  const dispose = () => {
    for (const sig of signals) process.off(sig, on);
  };
  function on(sig: NodeJS.Signals) {
    fired = true;
    dispose();
    resolve(sig);
  }
  for (const sig of signals) process.on(sig, on);
  return {
    received,
    get fired() {
      return fired;
    },
    dispose,
  };
}
