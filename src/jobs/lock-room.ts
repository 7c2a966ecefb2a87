// One lock query at a time, and none without room. Agenda's poll asks every job name at once
// (JobProcessor.jobQueueFilling per name, each checking the lock limit before its query); with one
// slot free, every name with a due job locks one, the first keeps it and Agenda releases the rest
// ("lock limit reached before job was returned": unlockJob). On the fleet bench that was 482 lock
// and unlock pairs per worker in 5 minutes, two writes each that the embedded store runs one at a
// time (docs/benchmarks.md, "One lock query at a time"). Here the worker's lock queries wait for
// each other, and each asks Agenda's own lock-limit check again once its turn comes.
//
// And none once Agenda stops: its stop() releases the jobs its processor holds, but a poll round
// already under way goes on asking (JobProcessor.jobQueueFilling does not look at isRunning), and a
// job locked then was neither run nor released until lockLifetime (10 min) passed.
import type { JobRepository } from "agenda";

type Repository = Pick<JobRepository, "getNextJobToRun" | "unlockJob">;

/** What the wrapper asks before and after each lock query. */
export interface LockGate {
  /** Whether the asking processor still runs: false from the start of Agenda's stop(). */
  running(): boolean;
  /** Whether Agenda would lock another job of `name` now. */
  room(name: string): boolean;
}

export interface LockQueries {
  /** Settles once every call made so far has settled (after a stop, queued calls settle at once). */
  idle(): Promise<void>;
}

/**
 * Wraps `repository.getNextJobToRun` so its calls run one after the other (in call order), and a
 * call returns no job without a query when, at its turn, the processor has stopped or has no room
 * for `name`. A job a query locked while the processor stopped is released (`unlockJob`, as Agenda
 * releases one it cannot keep) and not returned. The next call starts after a macrotask, so Agenda
 * has counted the job just returned. Wrap last, outside the other wrappers: a call refused for room
 * is not "nothing due" to them.
 */
export function serializeLockQueries(repository: Repository, gate: LockGate): LockQueries {
  const inner = repository.getNextJobToRun.bind(repository);
  let tail: Promise<void> = Promise.resolve();
  repository.getNextJobToRun = (name, nextScanAt, lockDeadline, now, options) => {
    const turn = tail.then(async () => {
      if (!gate.running() || !gate.room(name)) return undefined;
      const job = await inner(name, nextScanAt, lockDeadline, now, options);
      if (!job || gate.running()) return job;
      // A failed release leaves the lock to expire after lockLifetime, as before this wrapper.
      await repository.unlockJob(job).catch(() => {});
      return undefined;
    });
    // The next call waits for this one to settle, and then for a macrotask.
    tail = turn.then(
      () => new Promise<void>((r) => setImmediate(r)),
      () => new Promise<void>((r) => setImmediate(r)),
    );
    return turn;
  };
  return {
    // A call that ends may add another (Agenda asks again after each job it locks): wait for those too.
    idle: async () => {
      for (let seen = tail; ; seen = tail) {
        await seen;
        if (seen === tail) return;
      }
    },
  };
}

/** Agenda's processor, as far as the gate goes (agenda 6's JobProcessor). */
interface Processor {
  isRunning: boolean;
  shouldLock(name: string): boolean;
}

/**
 * The gate of an agenda 6 Agenda: running while it has a processor that has not stopped; room by
 * its own lock-limit check (the total lock limit and the name's). An Agenda without these (another
 * version) passes every call, and test/integration/lock-room.test.ts then fails.
 */
export function agendaLockGate(agenda: object): LockGate {
  const known = "jobProcessor" in agenda;
  const processor = () => (agenda as { jobProcessor?: Partial<Processor> }).jobProcessor;
  return {
    running: () => {
      if (!known) return true;
      const p = processor();
      return p !== undefined && p.isRunning !== false;
    },
    room: (name) => {
      const p = processor();
      return typeof p?.shouldLock === "function" ? p.shouldLock(name) : true;
    },
  };
}
