// Notifies stale scheduled jobs: every minute, each job whose staleAt has passed (jobs/health.ts)
// is a notification; the notifier deduplicates, so one stale job is one message an hour.
import type { Db } from "mongodb";
import { healthState } from "../jobs/freshness.js";
import { readJobHealth } from "../jobs/health.js";
import type { Logger } from "../platform/log.js";
import type { Notify } from "../platform/notify.js";
import { count } from "../platform/words.js";

/** Checks now and every `everyMs` (default 60 s); returns the function that stops it. */
export function watchStaleJobs(
  db: Db,
  o: { k: number; notify: Notify; log: Logger; everyMs?: number },
): () => void {
  const check = async () => {
    const now = new Date();
    for (const j of await readJobHealth(db)) {
      if (healthState(j, now, o.k) !== "stale") continue;
      const since = j.health.lastSuccessAt ? `since ${j.health.lastSuccessAt.toISOString()}` : "ever";
      o.notify({
        kind: "stale",
        key: j.key,
        text: `schedsync: ${j.key} is stale: no successful run ${since} (${count(o.k, "run")} due)${j.health.lastFailureReason ? `; last failure: ${j.health.lastFailureReason}` : ""}`,
      });
    }
  };
  const run = () => check().catch((err) => o.log.warn({ err: String(err) }, "stale check failed"));
  void run();
  const timer = setInterval(run, o.everyMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
