// The schedsync metrics on prom-client, with its default process and event-loop metrics. One
// Metrics per process, made by the entry point (src/cli) and passed to the server and the
// workers; nothing imports a registry. Metric names: docs/operations.md.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type Labels = Record<string, string>;

/** One series of a gauge read from the store. */
export interface GaugeRow {
  labels: Labels;
  value: number;
}

/**
 * Readers of the store-backed gauges, called on each scrape (prom-client collect()). undefined or
 * a throw keeps the last values (a store that is down must not blank the dashboard).
 */
export interface GaugeSources {
  /** Agenda jobs by state: labels { state }. */
  jobs?: () => Promise<GaugeRow[] | undefined>;
  /** Records by kind and delivery state: labels { kind, state }. */
  records?: () => Promise<GaugeRow[] | undefined>;
  /** Each scheduled job's freshness: labels { merchant, cart, service }. */
  jobHealth?: () => Promise<JobHealthGaugeRow[] | undefined>;
}

/** One job's freshness figures (see jobs/health.ts). */
export interface JobHealthGaugeRow {
  labels: { merchant: string; cart: string; service: string };
  /** Unix seconds of the last success; undefined: none yet (no series). */
  lastSuccessSeconds?: number;
  /** 1 when the job is stale (no success within k runs), else 0. */
  stale: number;
  /** Failed runs since the last success. */
  consecutiveFailures: number;
}

/** What a worker's runs report (see RuntimeOptions.hooks). */
export interface TransmissionHooks {
  /** A record delivered by an Automatic run: seconds from its arrival (queued) to acknowledged. */
  observeAutomaticLatency(seconds: number, service: string): void;
  /** After each batch: records by outcome (delivered, failed, skipped, requeued). */
  countTransmission(service: string, outcome: string, n: number): void;
  /** A failed run of a job (labels { merchant, cart, service }; cart "" for merchant services). */
  countJobFailure?(labels: { merchant: string; cart: string; service: string }): void;
  /** A request waited this long for a token of its connection's API budget (label: the budget's key). */
  budgetWaited?(budget: string, seconds: number): void;
  /** The remote answered 429 to a budgeted connection. */
  budgetRateLimited?(budget: string): void;
  /** A request was not sent: its budget's next token was further away than the wait allowed, or 429 came too often. */
  budgetDeferred?(budget: string): void;
  /** A request took a token of its connection's API budget. */
  budgetTaken?(budget: string): void;
}

/** The API budgets' counters (src/connectors/budget.ts), labelled by budget key (no secrets: a URL and a variable's name). */
function budgetHooks(registry: Registry) {
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ["budget"], registers: [registry] });
  const waited = counter(
    "schedsync_budget_wait_seconds_total",
    "Seconds requests waited for a token of their connection's API budget.",
  );
  const limited = counter("schedsync_budget_rate_limited_total", "429 answers to budgeted connections.");
  const deferred = counter(
    "schedsync_budget_deferred_total",
    "Requests not sent: the budget's next token was further away than the wait allowed, or 429 three times in a row.",
  );
  const taken = counter(
    "schedsync_budget_requests_total",
    "Requests that took a token of their connection's API budget (each sent once its token is due).",
  );
  return {
    budgetTaken: (budget: string) => taken.inc({ budget }),
    budgetWaited: (budget: string, seconds: number) => waited.inc({ budget }, seconds),
    budgetRateLimited: (budget: string) => limited.inc({ budget }),
    budgetDeferred: (budget: string) => deferred.inc({ budget }),
  };
}

/** Buckets of the reconcile duration, in seconds: 5 ms to 5 min. */
const RECONCILE_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Buckets of the Automatic latency, in seconds: the window is seconds, a backlog minutes. */
const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

export interface Metrics {
  registry: Registry;
  hooks: TransmissionHooks;
  /** Transmissions so far by { service, outcome }, read synchronously (status, tests). */
  transmissionsTotal: { get(labels: Labels): number };
  recordReconcile(outcome: string, seconds: number): void;
  countWebhook(result: string): void;
  /** Sets where the store-backed gauges read from (the server does, once it has a database). */
  readFrom(sources: GaugeSources): void;
  /** The exposition text and its content type. */
  render(): Promise<{ text: string; contentType: string }>;
}

/** A gauge whose series are replaced by a fresh read on each scrape. */
function storeGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => GaugeSources["jobs" | "records"],
) {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      const rows = await read()?.().catch(() => undefined);
      if (!rows) return;
      this.reset();
      for (const r of rows) this.set(r.labels, r.value);
    },
  });
}

const JOB_LABELS = ["merchant", "cart", "service"];

/**
 * The three freshness gauges, from one store read per scrape (each gauge's collect() asks; the
 * read in flight is shared, so a scrape reads the store once).
 */
function jobHealthGauges(registry: Registry, read: () => GaugeSources["jobHealth"]): void {
  // prom-client runs every collect() of a scrape at once: they share the read while it is pending,
  // and the next scrape reads again.
  let pending: Promise<JobHealthGaugeRow[] | undefined> | undefined;
  const rows = () => {
    pending ??= (read()?.().catch(() => undefined) ?? Promise.resolve(undefined)).finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const gauge = (name: string, help: string, value: (r: JobHealthGaugeRow) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: JOB_LABELS,
      registers: [registry],
      async collect() {
        const rs = await rows();
        if (!rs) return;
        this.reset();
        for (const r of rs) {
          const v = value(r);
          if (v !== undefined) this.set(r.labels, v);
        }
      },
    });
  gauge(
    "schedsync_job_last_success_timestamp_seconds",
    "Unix time of the job's last successful run.",
    (r) => r.lastSuccessSeconds,
  );
  gauge(
    "schedsync_job_stale",
    "1 when the job had no success within k of its scheduled runs.",
    (r) => r.stale,
  );
  gauge(
    "schedsync_job_consecutive_failures",
    "Failed runs of the job since its last success.",
    (r) => r.consecutiveFailures,
  );
}

/** A new registry with the schedsync metrics and prom-client's default metrics. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let sources: GaugeSources = {};
  const reconcileTotal = new Counter({
    name: "schedsync_reconcile_total",
    help: "Reconciles by outcome.",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const reconcileDuration = new Histogram({
    name: "schedsync_reconcile_duration_seconds",
    help: "Duration of reconciles in seconds.",
    buckets: RECONCILE_BUCKETS,
    registers: [registry],
  });
  storeGauge(registry, "schedsync_jobs", "Agenda jobs by state.", ["state"], () => sources.jobs);
  storeGauge(
    registry,
    "schedsync_records",
    "Records by kind and delivery state.",
    ["kind", "state"],
    () => sources.records,
  );
  jobHealthGauges(registry, () => sources.jobHealth);
  const jobFailures = new Counter({
    name: "schedsync_job_failures_total",
    help: "Failed runs by job (counted by this process's workers).",
    labelNames: JOB_LABELS,
    registers: [registry],
  });
  const automaticLatency = new Histogram({
    name: "schedsync_automatic_latency_seconds",
    help: "Time from a record's arrival to its automatic transmission, in seconds.",
    labelNames: ["service"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  // Kept as a tally read by collect(), so totals can also be read synchronously.
  const transmissions = new Map<string, { labels: Labels; value: number }>();
  new Counter({
    name: "schedsync_transmissions_total",
    help: "Transmissions by service and outcome.",
    labelNames: ["service", "outcome"],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of transmissions.values()) this.inc(t.labels, t.value);
    },
  });
  const webhooksTotal = new Counter({
    name: "schedsync_webhooks_total",
    help: "GitHub webhooks by result.",
    labelNames: ["result"],
    registers: [registry],
  });
  const tallyKey = (l: Labels) => JSON.stringify([l.service ?? "", l.outcome ?? ""]);
  return {
    registry,
    hooks: {
      ...budgetHooks(registry),
      observeAutomaticLatency: (seconds, service) => automaticLatency.observe({ service }, seconds),
      countJobFailure: (labels) => jobFailures.inc(labels),
      countTransmission: (service, outcome, n) => {
        const t = transmissions.get(tallyKey({ service, outcome })) ?? {
          labels: { service, outcome },
          value: 0,
        };
        t.value += n;
        transmissions.set(tallyKey(t.labels), t);
      },
    },
    transmissionsTotal: { get: (labels) => transmissions.get(tallyKey(labels))?.value ?? 0 },
    recordReconcile: (outcome, seconds) => {
      reconcileTotal.inc({ outcome });
      reconcileDuration.observe(seconds);
    },
    countWebhook: (result) => webhooksTotal.inc({ result }),
    readFrom: (s) => {
      sources = s;
    },
    render: async () => ({ text: await registry.metrics(), contentType: registry.contentType }),
  };
}
