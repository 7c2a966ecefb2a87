// One lock query at a time, and none without room. Agenda's poll asks every job name at once
// (JobProcessor.jobQueueFilling per name, each checking the lock limit before its query); with one
// slot free, every name with a due job locks one, the first keeps it and Agenda releases the rest
// ("lock limit reached before job was returned": unlockJob). On the fleet bench that was 482 lock
// and unlock pairs per worker in 5 minutes, two writes each that the embedded store runs one at a
// time (docs/benchmarks.md, "One lock query at a time"). Here the worker's lock queries wait for
// each other, and each asks Agenda's own lock-limit check again once its turn comes.
import type { JobRepository } from "agenda";

type Repository = Pick<JobRepository, "getNextJobToRun">;

/**
 * Wraps `repository.getNextJobToRun` so its calls run one after the other (in call order), and a
 * call whose `room(name)` is false when its turn comes returns no job without a query. The next
 * call starts after a macrotask, so Agenda has counted the job just returned. Wrap last, outside the
 * other wrappers: a call refused for room is not "nothing due" to them.
 */
export function serializeLockQueries(repository: Repository, room: (name: string) => boolean): void {
  const inner = repository.getNextJobToRun.bind(repository);
  let tail: Promise<void> = Promise.resolve();
  repository.getNextJobToRun = (name, nextScanAt, lockDeadline, now, options) => {
    const turn = tail.then(async () =>
      room(name) ? inner(name, nextScanAt, lockDeadline, now, options) : undefined,
    );
    // The next call waits for this one to settle, and then for a macrotask.
    tail = turn.then(
      () => new Promise<void>((r) => setImmediate(r)),
      () => new Promise<void>((r) => setImmediate(r)),
    );
    return turn;
  };
}

/** Agenda's processor, as far as its lock-limit check goes (agenda 6's JobProcessor.shouldLock). */
interface Processor {
  shouldLock(name: string): boolean;
}

/**
 * Whether Agenda would lock another job of `name` now: its own check (the total lock limit and the
 * name's). True when the processor is not running or its check is not there (another Agenda).
 */
export function agendaHasRoom(agenda: object, name: string): boolean {
  const processor = (agenda as { jobProcessor?: Partial<Processor> }).jobProcessor;
  return typeof processor?.shouldLock === "function" ? processor.shouldLock(name) : true;
}
