// Earliest due first across job names. Agenda fills its lock queue name by name (a poll asks every
// name at once; a run's end asks again, jobs/refill.ts), so a worker that is behind shares its slots
// by name, not by due time: each name gets about the same, and a name with three times the jobs (one
// order download per cart beside one inventory pull per merchant) falls three times as far behind
// (docs/benchmarks.md, "Earliest due first"). This keeps, per name, the due time of the job it last
// locked, so the refill can ask the name that is furthest behind first.
import type { JobRepository } from "agenda";

type Repository = Pick<JobRepository, "getNextJobToRun">;

export class DueOrder {
  /** Name → due time (ms since the epoch) of the job last locked; +Infinity: the last query found none. */
  private readonly last = new Map<string, number>();

  /**
   * Wraps `repository.getNextJobToRun` to note what each call locked; results pass through unchanged.
   * Wrap last, over the lock window and the poll gate: a name they answer with no job counts as none due.
   */
  watch(repository: Repository): void {
    const inner = repository.getNextJobToRun.bind(repository);
    repository.getNextJobToRun = async (name, nextScanAt, lockDeadline, now, options) => {
      const job = await inner(name, nextScanAt, lockDeadline, now, options);
      const due =
        job?.nextRunAt instanceof Date ? job.nextRunAt.getTime() : job ? 0 : Number.POSITIVE_INFINITY;
      this.last.set(name, due);
      return job;
    };
  }

  /**
   * `names` by the due time each last locked, earliest first: never asked names first (they may be
   * furthest behind), names whose last query found nothing last. Stable for equal times.
   */
  sort(names: string[]): string[] {
    const at = (n: string) => this.last.get(n) ?? Number.NEGATIVE_INFINITY;
    return [...names].sort((a, b) => at(a) - at(b) || 0);
  }
}
