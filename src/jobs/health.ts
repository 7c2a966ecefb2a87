// A managed job's run health: its last success and last failure, kept on its job document (field
// PATH.health) so status, the page and /metrics read one place. The rules on it: freshness.ts.
import { type Db, ObjectId } from "mongodb";
import type { BlackoutWindow, Frequency } from "../schedule/model.js";
import { type BlackoutSkip, blackoutSkipOf } from "./blackout-skips.js";
import { actualFromDocument, jobIdHex, jobName, ownedFilter, PATH, serviceOfKey } from "./document.js";
import type { JobHealth } from "./freshness.js";
import { jobsCollection } from "./repository.js";
import type { ActualJob } from "./types.js";

/** A run's outcome: ok, or failed with a reason. `at` is when the run ended. */
export type RunOutcome = { ok: true; at: Date } | { ok: false; at: Date; reason: string };

/** The health stored on a document (defaults for missing or mistyped fields). */
export function healthOf(doc: Record<string, unknown> | null | undefined): JobHealth {
  const h = (doc?.[PATH.health] ?? {}) as Partial<JobHealth>;
  const date = (v: unknown) => (v instanceof Date ? v : null);
  return {
    lastSuccessAt: date(h.lastSuccessAt),
    lastFailureAt: date(h.lastFailureAt),
    lastFailureReason: typeof h.lastFailureReason === "string" ? h.lastFailureReason : null,
    consecutiveFailures: typeof h.consecutiveFailures === "number" ? h.consecutiveFailures : 0,
    since: date(h.since),
  };
}

/**
 * Records a run's outcome on the scheduled job of `key` (triggered and manual runs count for it).
 * Returns the health before and after, and the job as it was just before this write (what
 * readOwnedJob would have read), or undefined when schedsync owns no job with that key.
 */
export async function recordJobOutcome(
  db: Db,
  key: string,
  outcome: RunOutcome,
): Promise<{ before: JobHealth; after: JobHealth; job: ActualJob | undefined } | undefined> {
  const update = outcome.ok
    ? { $set: { [`${PATH.health}.lastSuccessAt`]: outcome.at, [`${PATH.health}.consecutiveFailures`]: 0 } }
    : {
        $set: {
          [`${PATH.health}.lastFailureAt`]: outcome.at,
          [`${PATH.health}.lastFailureReason`]: outcome.reason,
        },
        $inc: { [`${PATH.health}.consecutiveFailures`]: 1 },
      };
  // By _id (derived from the key): an index lookup on any store, where the key alone is not.
  const doc = await jobsCollection(db).findOneAndUpdate(
    { _id: new ObjectId(jobIdHex(key)), ...ownedFilter(), name: jobName(serviceOfKey(key)), [PATH.key]: key },
    update,
    // No projection: FerretDB 1.24's findAndModify does not implement "fields".
    { returnDocument: "before" },
  );
  if (!doc) return undefined;
  const before = healthOf(doc);
  const after: JobHealth = outcome.ok
    ? { ...before, lastSuccessAt: outcome.at, consecutiveFailures: 0 }
    : {
        ...before,
        lastFailureAt: outcome.at,
        lastFailureReason: outcome.reason,
        consecutiveFailures: before.consecutiveFailures + 1,
      };
  return { before, after, job: actualFromDocument(doc) ?? undefined };
}

/** One owned job with its health, as status, the page and /metrics show it. */
export interface JobHealthRow {
  key: string;
  merchantId: string;
  cartId: string | null;
  service: string;
  schedule: Frequency;
  timezone: string;
  disabled: boolean;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  /** Agenda's: when the last run ended, and when a run last failed (threw). */
  lastFinishedAt: Date | null;
  failedAt: Date | null;
  health: JobHealth;
  /** The job's blackout windows (absent: none). */
  blackout?: BlackoutWindow[];
  /** The last run a blackout moved (absent: none). */
  lastBlackout?: BlackoutSkip;
}

/** Every owned job (of one merchant when given) with its health, sorted by key. */
export async function readJobHealth(db: Db, opts: { merchant?: string } = {}): Promise<JobHealthRow[]> {
  const filter = opts.merchant ? { ...ownedFilter(), [PATH.merchantId]: opts.merchant } : ownedFilter();
  const docs = await jobsCollection(db)
    .find(filter, {
      projection: {
        [PATH.key]: 1,
        [PATH.spec]: 1,
        [PATH.health]: 1,
        [PATH.lastBlackout]: 1,
        nextRunAt: 1,
        lastRunAt: 1,
        disabled: 1,
      },
    })
    .toArray();
  const rows = docs.map((d) => {
    const spec = d.data.schedsync.spec;
    const skip = blackoutSkipOf(d);
    return {
      key: d.data.schedsync.key,
      merchantId: spec.merchantId,
      cartId: spec.cartId ?? null,
      service: spec.service,
      schedule: spec.schedule,
      timezone: spec.timezone,
      disabled: d.disabled === true,
      nextRunAt: d.nextRunAt ?? null,
      lastRunAt: d.lastRunAt ?? null,
      lastFinishedAt: d.lastFinishedAt instanceof Date ? d.lastFinishedAt : null,
      failedAt: d.failedAt instanceof Date ? d.failedAt : null,
      health: healthOf(d),
      ...(Array.isArray(spec.blackout) && spec.blackout.length > 0 && { blackout: spec.blackout }),
      ...(skip && { lastBlackout: skip }),
    };
  });
  return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
