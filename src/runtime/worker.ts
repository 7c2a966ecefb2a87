// The worker: an Agenda on the store's database that runs every schedsync job. Scheduled jobs
// are the reconciler's ("schedsync:<service>"); Automatic runs are TRIGGER_JOB one-offs.
import { hostname } from "node:os";
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda, type Job } from "agenda";
import type { Db } from "mongodb";
import { JOB_PREFIX, JOBS_COLLECTION, jobName, specOf, TRIGGER_JOB } from "../jobs/document.js";
import { gateLockQueries } from "../jobs/due-names.js";
import { DueOrder } from "../jobs/due-order.js";
import { agendaLockGate, type LockQueries, serializeLockQueries } from "../jobs/lock-room.js";
import { windowLockQueries } from "../jobs/lock-window.js";
import { RefillChannel } from "../jobs/refill.js";
import {
  ensureJobIndexes,
  loadSpec,
  releaseLocks,
  setNextRun,
  unarmedManagedJobs,
} from "../jobs/repository.js";
import { RunHourTally } from "../jobs/run-hours.js";
import { CLEANUP_SERVICE, type JobService } from "../jobs/types.js";
import { releaseProcessLeases } from "../platform/lease.js";
import { silentLogger } from "../platform/log.js";
import { ensureRecordIndexes } from "../records/index.js";
import { nextRunAfter } from "../schedule/index.js";
import { CART_SERVICES, MERCHANT_SERVICES } from "../schedule/model.js";
import { holdForBlackout } from "./blackout.js";
import type { PendingOutcome, RuntimeContext } from "./context.js";
import { DEFAULTS, type RuntimeOptions } from "./options.js";
import { endScheduledRun } from "./reschedule.js";
import { RESUME_SWEEP_MS, sweepResumes } from "./resume-sweep.js";
import { archiveStep } from "./retention.js";
import { again, runKey } from "./run-key.js";
import { nextGen, runLockName } from "./run-state.js";
import { sweep, sweepPeriodMs } from "./sweep.js";
import { type TriggerData, trigger } from "./trigger.js";

export const ALL_SERVICES: JobService[] = [...MERCHANT_SERVICES, ...CART_SERVICES, CLEANUP_SERVICE];

export type WorkerOptions = Partial<RuntimeOptions> & Pick<RuntimeOptions, "connectors">;

export interface Worker {
  ctx: RuntimeContext;
  agenda: Agenda;
  start(): Promise<void>;
  /**
   * Graceful: stop taking jobs, let running ones finish their batch (up to `timeoutMs`, default
   * 30 s), unlock the rest. `exiting`: the process ends right after, so the run leases of handlers
   * still running at the timeout are freed too (else the next run of their keys waits for them to
   * expire, runLeaseMs, and is skipped as "previous run still going").
   */
  stop(timeoutMs?: number, o?: { exiting?: boolean }): Promise<void>;
  /**
   * For a process that exits now without waiting (a second Ctrl-C): stops Agenda, clears the locks
   * of the jobs this worker runs and frees this process's run leases. Resolves with how many
   * handlers were still running.
   */
  abandon(): Promise<number>;
}

export function resolveOptions(o: WorkerOptions): RuntimeOptions {
  return {
    ...DEFAULTS,
    resumeSweepMs: RESUME_SWEEP_MS,
    owner: `${hostname()}:${process.pid}`,
    log: silentLogger(),
    ...o,
  };
}

/** An Agenda on the jobs collection with the worker's settings; `refill`: its notification channel. */
export function createAgenda(
  db: Db,
  opts: RuntimeOptions,
  refill?: RefillChannel,
  dueOrder?: DueOrder,
): Agenda {
  return agendaWithLockQueries(db, opts, refill, dueOrder).agenda;
}

/** createAgenda, and its lock queries (idle() once Agenda has stopped: lock-room.ts). */
function agendaWithLockQueries(
  db: Db,
  opts: RuntimeOptions,
  refill?: RefillChannel,
  dueOrder?: DueOrder,
): { agenda: Agenda; lockQueries: LockQueries } {
  const backend = new MongoBackend({ mongo: db, collection: JOBS_COLLECTION });
  const lockLimit = opts.lockLimit ?? 2 * opts.concurrency;
  const roundMs = Math.max(1, opts.processEvery / 2);
  if (opts.gatePolls !== false) {
    windowLockQueries(backend.repository, db, JOBS_COLLECTION, { size: lockLimit, roundMs });
    gateLockQueries(backend.repository, db, JOBS_COLLECTION, roundMs);
  }
  dueOrder?.watch(backend.repository);
  const agenda = new Agenda({
    backend,
    name: opts.owner,
    processEvery: opts.processEvery,
    maxConcurrency: opts.concurrency,
    defaultConcurrency: opts.concurrency,
    defaultLockLifetime: opts.lockLifetime,
    lockLimit,
    ...(refill ? { notificationChannel: refill } : {}),
  });
  const lockQueries = serializeLockQueries(backend.repository, agendaLockGate(agenda));
  return { agenda, lockQueries };
}

export function createWorker(db: Db, options: WorkerOptions): Worker {
  const opts = resolveOptions(options);
  // A freed slot goes to the Automatic pushes first, then to the name furthest behind.
  const dueOrder = new DueOrder();
  const refill =
    opts.refill === false
      ? undefined
      : new RefillChannel(
          () => Object.keys(agenda.definitions),
          [TRIGGER_JOB],
          (names) => dueOrder.sort(names),
        );
  const { agenda, lockQueries } = agendaWithLockQueries(db, opts, refill, dueOrder);
  const ctx: RuntimeContext = { db, agenda, opts, stopping: false, outcomes: new WeakMap() };
  ctx.runHours = new RunHourTally(db, opts.runHoursEveryMs, (err) =>
    opts.log.warn({ err: String(err) }, "could not count runs in their hour; kept for the next write"),
  );
  const active = new Set<Promise<unknown>>();
  // Jobs this worker started whose Agenda lock is not yet released (Agenda's "complete").
  const held = new Set<string>();
  let released = false; // after stop() released the locks, a handler left running must not re-take one
  agenda.on("complete", (job: Job) => {
    held.delete(String(job.attrs._id));
    if (!ctx.stopping) refill?.runEnded(job);
  });
  // Tracks running handlers (for stop) and keeps their Agenda lock alive: Agenda cancels a job
  // that runs longer than lockLifetime without touch().
  const track = <T>(job: Job<unknown>, run: () => Promise<T>): Promise<T> => {
    held.add(String(job.attrs._id));
    const timer = setInterval(
      () => {
        if (!released) job.touch().catch(() => {});
      },
      Math.max(200, opts.lockLifetime / 3),
    );
    const p = run().finally(() => {
      clearInterval(timer);
      active.delete(p);
    });
    active.add(p);
    return p;
  };

  for (const service of ALL_SERVICES) {
    agenda.define(jobName(service), (job: Job) => track(job, () => runScheduled(ctx, job)));
  }
  agenda.define(TRIGGER_JOB, (job: Job<TriggerData>) => track(job, () => runTriggered(ctx, job)), {
    removeOnComplete: true,
  });
  // Once stop() has begun, a lock query Agenda had in flight can fail as the store closes: that
  // is the shutdown itself, not a fault (debug, not ERROR lines after "stopped").
  agenda.on("error", (err) =>
    ctx.stopping
      ? opts.log.debug({ err: err.message }, "agenda error while stopping")
      : opts.log.error({ err: err.message }, "agenda error"),
  );
  // After Agenda's end-of-run write: the run's outcome, and a schedule the reconciler changed
  // during the run kept, in one command.
  agenda.on("complete", (job: Job) => {
    if (!job.attrs.name.startsWith(JOB_PREFIX)) return;
    const pending = ctx.outcomes?.get(job);
    ctx.outcomes?.delete(job);
    const p = endScheduledRun(ctx, job, pending)
      .then((next) => {
        if (next !== undefined) opts.log.info({ job: job.attrs.name, next }, "rescheduled after the run");
      })
      .catch((err) => opts.log.warn({ err: (err as Error).message }, "reschedule check failed"))
      .finally(() => active.delete(p));
    active.add(p);
  });

  // The sweep (sweep.ts): expired leases are handed on without new data or a cleanup run.
  let sweeping: Promise<unknown> | undefined;
  const sweepOnce = () => {
    if (sweeping || ctx.stopping) return;
    sweeping = sweep(ctx)
      .then((r) => {
        if (r.batches.length || r.runs.length) opts.log.info(r, "expired leases handed on");
      })
      .catch((err) => opts.log.warn({ err: (err as Error).message }, "sweep failed"))
      .finally(() => {
        sweeping = undefined;
      });
  };
  let sweepTimer: NodeJS.Timeout | undefined;
  // The resume sweep (resume-sweep.ts): suspensions and pauses whose `until` passed end here.
  let resumeTimer: NodeJS.Timeout | undefined;
  const resumeSweep = () =>
    sweepResumes(db)
      .then((r) => {
        if (r.pauses.length || r.resumed.length) opts.log.info(r, "until passed; jobs resumed");
      })
      .catch((err) => opts.log.error({ err: (err as Error).message }, "resume sweep failed"));

  // The retention step (retention.ts): delivered deliveries past the retention are archived.
  let archiving: Promise<unknown> | undefined;
  const archiveOnce = () => {
    if (archiving || ctx.stopping) return;
    archiving = archiveStep(ctx)
      .then((moved) => {
        if (moved > 0) opts.log.info({ moved }, "delivered deliveries archived");
      })
      .catch((err) => opts.log.warn({ err: (err as Error).message }, "retention step failed"))
      .finally(() => {
        archiving = undefined;
      });
  };
  let archiveTimer: NodeJS.Timeout | undefined;
  // The start of stop and abandon: no new sweeps, steps or runs (handlers see ctx.stopping).
  const quiet = () => {
    ctx.stopping = true;
    clearInterval(sweepTimer);
    clearInterval(resumeTimer);
    clearInterval(archiveTimer);
  };

  return {
    ctx,
    agenda,
    start: async () => {
      await Promise.all([ensureRecordIndexes(db), ensureJobIndexes(db)]);
      await rearmManaged(db);
      await resumeSweep();
      resumeTimer = setInterval(resumeSweep, opts.resumeSweepMs);
      await agenda.start();
      sweepTimer = setInterval(sweepOnce, sweepPeriodMs(opts));
      sweepOnce();
      if (Number.isFinite(opts.retentionMs)) archiveTimer = setInterval(archiveOnce, opts.archiveEveryMs);
    },
    stop: async (timeoutMs = 30_000, o: { exiting?: boolean } = {}) => {
      quiet();
      await sweeping;
      await archiving;
      const deadline = new Promise((r) => setTimeout(r, timeoutMs).unref());
      if (active.size > 0)
        opts.log.info({ running: active.size, timeoutMs }, "waiting for running jobs to finish their batch");
      await Promise.race([Promise.allSettled([...active]), deadline]);
      // Unlocks jobs this worker locked but did not start, so another worker runs them now.
      await agenda.stop(false);
      // A poll round under way goes on after stop(); its lock queries end without a lock (lock-room.ts).
      await Promise.race([lockQueries.idle(), deadline]);
      // Agenda 6.2.6's stop() keeps the locks of jobs still running (or whose end it has not saved
      // yet): after a restart they would wait for lockLifetime. The run lease (run:<key>) still
      // keeps a handler left running from overlapping the next run of its key, unless the process
      // is exiting.
      released = true;
      const left = active.size; // once: a handler may end during the writes below
      ctx.abandoned = left > 0;
      await releaseLocks(db, [...held], opts.owner);
      if (left > 0) {
        const freed = o.exiting ? await releaseProcessLeases(db, runLockName("")).catch(() => 0) : 0;
        opts.log.warn(
          { running: left, timeoutMs, runLeasesFreed: freed },
          "gave up waiting for running jobs; their job locks are cleared",
        );
      }
      await ctx.runHours
        ?.flush()
        .catch((err) => opts.log.warn({ err: String(err) }, "could not count runs in their hour at stop"));
    },
    abandon: async () => {
      quiet();
      released = true;
      ctx.abandoned = true;
      const running = active.size;
      await agenda.stop(false).catch(() => {});
      await releaseLocks(db, [...held], opts.owner);
      await releaseProcessLeases(db, runLockName("")).catch(() => 0);
      return running;
    },
  };
}

async function runScheduled(ctx: RuntimeContext, job: Job): Promise<void> {
  const spec = specOf(job.attrs as unknown as Record<string, unknown>);
  if (!spec) return;
  // Automatic's job only triggers, and trigger() waits for the window's end itself.
  if (spec.schedule.kind !== "automatic" && !ctx.stopping && (await holdForBlackout(ctx, spec, job))) return;
  if (spec.managedNextRun) {
    // Schedules Agenda cannot express are ours (docs/reconcile.md): saved now so a crashed run
    // still has a next one, and kept in attrs because Agenda writes attrs when the handler ends.
    const next = nextRunAfter(spec.schedule, spec.timezone, job.attrs.lastRunAt ?? new Date());
    job.attrs.nextRunAt = next;
    await setNextRun(ctx.db, job.attrs._id, next);
  }
  if (ctx.stopping) {
    job.attrs.nextRunAt = new Date(); // due again at once, for another worker
    return;
  }
  if (spec.schedule.kind === "automatic") {
    // The reconciler's Automatic job only shows status; running it (e.g. `schedsync run`) is a trigger.
    await trigger(ctx, spec, 1);
    return;
  }
  const outcomes = ctx.outcomes;
  const r = await runKey(ctx, spec, {
    scheduled: true,
    ...(outcomes ? { deferOutcome: (p: PendingOutcome) => outcomes.set(job, p) } : {}),
  });
  if (r === "busy") ctx.opts.log.info({ key: spec.key }, "previous run still going; skipped this one");
}

/** Managed jobs left without a next run by a crash between Agenda's write and ours. */
async function rearmManaged(db: Db): Promise<void> {
  const now = new Date();
  for (const { id, spec } of await unarmedManagedJobs(db)) {
    await setNextRun(db, id, nextRunAfter(spec.schedule, spec.timezone, now), { onlyIf: null });
  }
}

async function runTriggered(ctx: RuntimeContext, job: Job<TriggerData>): Promise<void> {
  const key = job.attrs.data?.key;
  if (!key) return;
  const spec = await loadSpec(ctx.db, key);
  // Not only Automatic: a periodic service's on-demand runs (a cart's webhook) come here too.
  if (!spec || spec.disabled || spec.schedule.kind === "off") return;
  // A trigger due inside a window (enqueued before it began) waits for its end, with its records.
  if (!ctx.stopping && (await holdForBlackout(ctx, spec, job))) return;
  if (!ctx.stopping) {
    const r = await runKey(ctx, spec, { triggered: true });
    if (r !== "busy") return;
  }
  // Busy or shutting down: move the generation on, which tells the running run to trigger again
  // when it ends; the delayed trigger covers a run that ended just before the move.
  await nextGen(ctx.db, key);
  await again(ctx, spec, ctx.stopping ? undefined : Math.max(ctx.opts.windowMs ?? 0, ctx.opts.runLeaseMs));
}
