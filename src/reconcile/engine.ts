// The reconcile loop in visible stages: source (git) → load (schema + semantics) → desired jobs →
// actual jobs → plan (pure) → apply, under a lease lock, with a history record for every apply.
import type { Db } from "mongodb";
import { loadSchedules } from "../config/load.js";
import { listPauses } from "../jobs/pauses.js";
import { readOwnedJobs, writeChanges } from "../jobs/repository.js";
import type { DesiredJob, Plan } from "../jobs/types.js";
import { acquire, withLease } from "../platform/lease.js";
import { desiredJobs } from "./desired.js";
import { RevisionRejectedError } from "./errors.js";
import { type GuardHit, guardReason, massDeleteGuard, rollbackGuard } from "./guards.js";
import { type HistoryEntry, markUnchecked, readApplied, recordHistory, writeApplied } from "./history.js";
import { plan as makePlan } from "./plan.js";
import { type PlannedRuns, plannedRuns } from "./planned-runs.js";
import { type Revision, readRevision, type SourceOptions } from "./source.js";

/** Bump when the same schedules would give different jobs (desired.ts, document.ts). */
export const DESIRED_FORMAT = "2";

export interface ReconcileOptions extends SourceOptions {
  db: Db;
  /** Plan only; nothing is written. */
  dryRun?: boolean;
  /** Allow a plan that deletes more than half of the managed jobs. */
  allowMassDelete?: boolean;
  /** Allow applying a revision that is an ancestor of the applied one (going back in history). */
  allowRollback?: boolean;
  /** Who approved the allowed guards (a GitHub login, from CI); recorded in history with them. */
  approvedBy?: string;
  leaseMs?: number;
  lockWaitMs?: number;
  /**
   * For a revision that is already applied: compare every job again (to find drift) only when
   * the last comparison is older than this. 0 (default): always compare.
   */
  recheckAfterMs?: number;
  log?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface RevisionInfo {
  sha: string;
  author: string;
  message: string;
}

export interface ReconcileResult {
  revision: RevisionInfo;
  plan: Plan;
  /** planned: dry run; in-sync: nothing to do; applied: changes written; skipped: an older revision. */
  outcome: "planned" | "in-sync" | "applied" | "skipped";
  durationMs: number;
  note?: string;
  /** False when the jobs were not compared (an applied revision, compared within recheckAfterMs). */
  compared: boolean;
  /** When every job was last compared with the revision. */
  checkedAt?: Date;
  /** The revision applied before this run (null: none yet). */
  appliedRevision: string | null;
  /** The guards this revision hits; in a plan, the ones apply will refuse without approval. */
  guards: GuardHit[];
  /** Plans only: the coming runs of each created or rescheduled job. */
  nextRuns?: PlannedRuns;
}

function info(rev: Revision): RevisionInfo {
  return { sha: rev.sha, author: rev.author, message: rev.message };
}

/** Stages source → load → desired. Throws RevisionRejectedError for anything that must not be applied. */
export async function desiredFromRevision(rev: Revision): Promise<DesiredJob[]> {
  if (rev.rejected.length > 0) {
    const errors = rev.rejected.map((r) => ({
      file: r.path,
      line: 1,
      column: 1,
      message: `${r.path} ${r.reason}`,
    }));
    throw new RevisionRejectedError(`revision ${rev.sha.slice(0, 12)} is invalid`, errors);
  }
  const files = new Map([...rev.files].map(([path, buf]) => [path, buf] as const));
  const loaded = await loadSchedules({ rootDir: ".", dir: rev.dir, files });
  if (!loaded.ok)
    throw new RevisionRejectedError(`revision ${rev.sha.slice(0, 12)} is invalid`, loaded.errors);
  const desired = desiredJobs(loaded.model);
  if (desired.length === 0) {
    throw new RevisionRejectedError(
      `revision ${rev.sha.slice(0, 12)} defines no jobs; refusing to delete every job`,
    );
  }
  return desired;
}

function refuseUnapproved(hit: GuardHit | undefined): void {
  if (hit && !hit.allowed)
    throw new RevisionRejectedError(
      `the plan ${guardReason(hit)}; re-run with ${hit.flag} if that is intended`,
    );
}

/** The approval to record: who, and which guards they allowed (only when a guard was allowed). */
function approval(opts: ReconcileOptions): HistoryEntry["approval"] {
  const allow = [
    ...(opts.allowMassDelete ? (["mass-delete"] as const) : []),
    ...(opts.allowRollback ? (["rollback"] as const) : []),
  ];
  return allow.length ? { by: opts.approvedBy ?? "", allow } : undefined;
}

export async function reconcile(opts: ReconcileOptions): Promise<ReconcileResult> {
  const started = Date.now();
  const { db } = opts;
  const rev = await readRevision(opts);
  if (!opts.dryRun && opts.recheckAfterMs) {
    const skip = await recentlyChecked(db, rev, opts.recheckAfterMs);
    if (skip) return { ...skip, durationMs: Date.now() - started };
  }
  let desired: DesiredJob[];
  try {
    desired = await desiredFromRevision(rev);
  } catch (err) {
    if (!opts.dryRun && err instanceof RevisionRejectedError) {
      const now = new Date();
      await recordHistory(db, {
        revision: rev.sha,
        author: rev.author,
        message: rev.message,
        startedAt: now,
        finishedAt: now,
        durationMs: 0,
        outcome: "refused",
        error: err.message,
      }).catch(() => {});
    }
    throw err;
  }
  if (opts.dryRun) {
    const applied = await readApplied(db);
    const actual = await readOwnedJobs(db);
    const plan = makePlan(desired, actual, { now: new Date(), pauses: await listPauses(db) });
    const guards = [massDeleteGuard(plan, actual.length), await rollbackGuard(rev.gitDir, rev.sha, applied)];
    return {
      revision: info(rev),
      plan,
      outcome: "planned",
      durationMs: Date.now() - started,
      compared: true,
      appliedRevision: applied?.revision ?? null,
      guards: guards.filter((g) => g !== undefined),
      nextRuns: plannedRuns(plan, new Date()),
    };
  }

  // SCHEDSYNC_LEASE_MS: how long a crashed apply blocks the next one (default 30 s; the chaos suite shortens it).
  const leaseMs = opts.leaseMs ?? (Number(process.env.SCHEDSYNC_LEASE_MS) || 30_000);
  const lease = await acquire(db, "reconcile", { leaseMs, waitMs: opts.lockWaitMs ?? 120_000 });
  const startedAt = new Date();
  let plan: Plan = { changes: [], summary: { create: 0, update: 0, delete: 0, unchanged: 0 } };
  const guards: GuardHit[] = [];
  const approved = approval(opts);
  const history = (outcome: HistoryEntry["outcome"], error?: string): HistoryEntry => ({
    revision: rev.sha,
    author: rev.author,
    message: rev.message,
    startedAt,
    finishedAt: new Date(),
    // The whole reconcile, reading and checking the revision included: what the log line and the
    // status page's "last reconcile" say (startedAt is when the lock was taken).
    durationMs: Date.now() - started,
    outcome,
    summary: plan.summary,
    ...(error ? { error } : {}),
    ...(guards.length ? { guards } : {}),
    ...(approved ? { approval: approved } : {}),
    holder: lease.holder,
  });
  return withLease(lease, leaseMs, async () => {
    try {
      // Never go back in history: with several reconcilers, the newest revision must win.
      const applied = await readApplied(db);
      const appliedRevision = applied?.revision ?? null;
      const back = await rollbackGuard(rev.gitDir, rev.sha, applied, opts.allowRollback);
      if (back) guards.push(back);
      if (back && !back.allowed) {
        const note = `revision ${rev.sha.slice(0, 12)} is older than the applied ${back.applied.slice(0, 12)}; skipped (use --allow-rollback to go back)`;
        await recordHistory(db, history("refused", note));
        return {
          revision: info(rev),
          plan,
          outcome: "skipped",
          durationMs: Date.now() - started,
          note,
          compared: false,
          appliedRevision,
          guards,
        };
      }
      const now = new Date();
      const actual = await readOwnedJobs(db);
      plan = makePlan(desired, actual, { now, pauses: await listPauses(db) });
      const mass = massDeleteGuard(plan, actual.length, opts.allowMassDelete);
      if (mass) guards.push(mass);
      refuseUnapproved(mass);
      const changed = plan.changes.length > 0;
      if (changed) {
        await markUnchecked(db);
        await writeChanges(db, plan.changes, {
          revision: rev.sha,
          onProgress: async (done, total) => {
            await lease.renew();
            opts.onProgress?.(done, total);
          },
        });
      }
      const checkedAt = new Date();
      await writeApplied(db, {
        revision: rev.sha,
        appliedAt: checkedAt,
        author: rev.author,
        message: rev.message,
        contentId: rev.contentId,
        format: DESIRED_FORMAT,
        checkedAt,
        jobs: desired.length,
      });
      await recordHistory(db, history(changed ? "applied" : "in-sync"));
      return {
        revision: info(rev),
        plan,
        outcome: changed ? "applied" : "in-sync",
        durationMs: Date.now() - started,
        compared: true,
        checkedAt,
        appliedRevision,
        guards,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const outcome = err instanceof RevisionRejectedError ? "refused" : "failed";
      await recordHistory(db, history(outcome, message)).catch(() => {});
      throw err;
    }
  });
}

/**
 * The no-op fast path: this very revision (same commit, same schedules, same engine format) was
 * applied and every job compared within maxAgeMs, so neither the schedules nor the jobs are read.
 * Drift in between is found by the next full comparison (docs/reconcile.md).
 */
async function recentlyChecked(
  db: Db,
  rev: Revision,
  maxAgeMs: number,
): Promise<Omit<ReconcileResult, "durationMs"> | undefined> {
  const applied = await readApplied(db);
  if (
    !applied?.checkedAt ||
    applied.revision !== rev.sha ||
    applied.contentId !== rev.contentId ||
    applied.format !== DESIRED_FORMAT ||
    Date.now() - applied.checkedAt.getTime() >= maxAgeMs
  )
    return undefined;
  const unchanged = applied.jobs ?? 0;
  return {
    revision: info(rev),
    plan: { changes: [], summary: { create: 0, update: 0, delete: 0, unchanged } },
    outcome: "in-sync",
    compared: false,
    checkedAt: applied.checkedAt,
    appliedRevision: applied.revision,
    guards: [],
    note: `revision already applied; jobs last compared at ${applied.checkedAt.toISOString()}`,
  };
}
