// The schedsync metrics, one process-wide registry. The runtime feeds automatic latency and
// transmissions through the exported hooks; the server fills the gauges on each scrape.
import { Registry } from "./metrics.js";

export const registry = new Registry();

export const reconcileTotal = registry.counter("schedsync_reconcile_total", "Reconciles by outcome.");
export const reconcileDuration = registry.histogram(
  "schedsync_reconcile_duration_seconds",
  "Duration of reconciles in seconds.",
);
export const jobsGauge = registry.gauge("schedsync_jobs", "Agenda jobs by state.");
export const recordsGauge = registry.gauge("schedsync_records", "Records by kind and delivery state.");
export const automaticLatency = registry.histogram(
  "schedsync_automatic_latency_seconds",
  "Time from a record's arrival to its automatic transmission, in seconds.",
  [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
);
export const transmissionsTotal = registry.counter(
  "schedsync_transmissions_total",
  "Transmissions by service and outcome.",
);
export const webhooksTotal = registry.counter("schedsync_webhooks_total", "GitHub webhooks by result.");

/** Called by the runtime when an automatic service transmits a record (seconds since arrival). */
export function observeAutomaticLatency(seconds: number, service?: string): void {
  automaticLatency.observe(seconds, service ? { service } : {});
}

/** Called by the runtime after each transmission attempt. */
export function countTransmission(service: string, outcome: string, n = 1): void {
  transmissionsTotal.inc({ service, outcome }, n);
}

export function recordReconcile(outcome: string, seconds: number): void {
  reconcileTotal.inc({ outcome });
  reconcileDuration.observe(seconds);
}
