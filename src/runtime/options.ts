// Worker settings. Production defaults; tests shorten the leases and windows.
import type { Logger } from "pino";
import type { ConnectorFactory } from "../connectors/factory.js";
import { DEFAULT_PULL_LIMIT } from "../connectors/port.js";
import type { TransmissionHooks } from "../platform/metrics.js";
import type { Notify } from "../platform/notify.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../records/index.js";

export interface RuntimeOptions {
  /** Identifies this worker in leases and logs. */
  owner: string;
  /** Per-key run lease (never two runs of one key at once), renewed while running. */
  runLeaseMs: number;
  /** Batch lease: a batch whose worker died is taken over this long after its last renewal. */
  batchLeaseMs: number;
  /** Agenda's poll interval. */
  processEvery: number;
  /** Agenda lock lifetime: a job locked by a dead worker is run again after this. */
  lockLifetime: number;
  /** Jobs one worker runs at once. */
  concurrency: number;
  /**
   * Jobs one worker holds locked at once (running + queued); 0 = Agenda's default, no limit.
   * Undefined: 2 × concurrency, so one worker does not lock a whole wave of due jobs that other
   * workers could run (Agenda's `lockLimit`).
   */
  lockLimit?: number;
  /**
   * One read of the names with a lockable job per poll, so Agenda's per-name lock query runs only
   * for those (jobs/due-names.ts); false: Agenda's own polling, one lock query per name. Default true.
   */
  gatePolls?: boolean;
  /**
   * When a run ends, lock the next due job of its name at once instead of at the next poll
   * (jobs/refill.ts): a worker then runs up to its concurrency, not lockLimit jobs a poll. Default true.
   */
  refill?: boolean;
  /** Overrides every Automatic window (tests, benchmarks). */
  windowMs?: number;
  /** Batch size of periodic pushes. */
  periodicBatch: number;
  /** Batches per run before a run hands over to the next (Automatic re-triggers itself). */
  maxBatchesPerRun: number;
  /** Pages per download run. */
  maxPagesPerRun: number;
  /** Records asked per pulled page (a connector clamps it to MAX_PULL_LIMIT). */
  pullLimit: number;
  policy: RetryPolicy;
  /** Where the runs get their cart and WMS connectors (createConnectorFactory; tests: fakes). */
  connectors: ConnectorFactory;
  log: Logger;
  /** How often the worker ends pauses and suspensions whose `until` passed (resume-sweep.ts). */
  resumeSweepMs: number;
  /**
   * Delivered deliveries older than this (ms) leave the hot collection for the archive
   * (retention.ts); Infinity: never (off). 0: at the next retention step.
   */
  retentionMs: number;
  /** How often the worker runs the retention step. */
  archiveEveryMs: number;
  /** How long a run's count waits in memory before the runs-per-hour write (ms; RunHourTally). */
  runHoursEveryMs: number;
  /** Metrics the runs feed (Metrics.hooks of src/platform/metrics.ts; default: none). */
  hooks: TransmissionHooks;
  /** Operator notifications (failing jobs, skipped records); default: none. */
  notify?: Notify;
}

/** Hooks that feed no metrics (a worker without /metrics). */
export const NO_HOOKS: TransmissionHooks = { observeAutomaticLatency: () => {}, countTransmission: () => {} };

/** Default retention: a day, past the status page's 12 hours of activity (status-page.ts). */
export const DEFAULT_RETENTION_MS = 24 * 3_600_000;

export const DEFAULTS = {
  runLeaseMs: 30_000,
  batchLeaseMs: 60_000,
  processEvery: 1_000,
  lockLifetime: 10 * 60_000,
  concurrency: 10,
  periodicBatch: 500,
  maxBatchesPerRun: 20,
  maxPagesPerRun: 50,
  pullLimit: DEFAULT_PULL_LIMIT,
  policy: DEFAULT_RETRY_POLICY,
  retentionMs: DEFAULT_RETENTION_MS,
  archiveEveryMs: 60_000,
  runHoursEveryMs: 5_000,
  hooks: NO_HOOKS,
} satisfies Partial<RuntimeOptions>;
