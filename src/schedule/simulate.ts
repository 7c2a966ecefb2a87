// Load from the schedules alone: how many runs each service makes in every 15-minute slot over
// the coming days, so a reviewer sees spikes (3,000 merchants at 09:00) before merging.
import type { Frequency, ScheduleModel, ServiceName } from "./model.js";
import { nextRunAfter } from "./next-runs.js";

export const SLOT_MS = 15 * 60_000;

export interface Simulation {
  start: Date;
  days: number;
  slotMs: number;
  /** Services in a stable order, only those that run at least once. */
  services: ServiceName[];
  /** service → runs per slot. */
  counts: Map<ServiceName, number[]>;
  totals: number[];
  peak: { slot: number; at: Date; total: number; byService: Partial<Record<ServiceName, number>> };
  /** Services set to automatic (event-driven, not in the chart). */
  automatic: number;
}

const ORDER: ServiceName[] = [
  "orderDownload",
  "orderDelivery",
  "shippingConfirmations",
  "shipmentUpload",
  "inventory",
  "inventoryUpload",
];

/** Slots start at the 15-minute boundary at or before `from`. */
export function simulate(model: ScheduleModel, opts: { days?: number; from?: Date } = {}): Simulation {
  const days = opts.days ?? 7;
  const start = new Date(Math.floor((opts.from ?? new Date()).getTime() / SLOT_MS) * SLOT_MS);
  const end = start.getTime() + days * 86_400_000;
  const slots = Math.round((end - start.getTime()) / SLOT_MS);
  const counts = new Map<ServiceName, number[]>();
  let automatic = 0;

  const add = (service: ServiceName, freq: Frequency, timezone: string) => {
    if (freq.kind === "automatic") automatic++;
    if (freq.kind === "off" || freq.kind === "automatic") return;
    let row = counts.get(service);
    if (!row) {
      row = new Array<number>(slots).fill(0);
      counts.set(service, row);
    }
    // `from` counts as the last run, as it does for a job created now.
    let at = nextRunAfter(freq, timezone, start);
    while (at && at.getTime() < end) {
      const i = Math.floor((at.getTime() - start.getTime()) / SLOT_MS);
      row[i] = (row[i] ?? 0) + 1;
      at = nextRunAfter(freq, timezone, at);
    }
  };

  for (const m of model.merchants) {
    if (m.suspended) continue;
    for (const [service, freq] of Object.entries(m.services)) add(service as ServiceName, freq, m.timezone);
    for (const c of m.carts) {
      if (c.suspended) continue;
      for (const [service, freq] of Object.entries(c.services)) add(service as ServiceName, freq, m.timezone);
    }
  }

  const services = ORDER.filter((s) => counts.get(s)?.some((n) => n > 0));
  const totals = new Array<number>(slots).fill(0);
  for (const s of services) {
    counts.get(s)?.forEach((n, i) => {
      totals[i] = (totals[i] ?? 0) + n;
    });
  }
  let peakSlot = 0;
  totals.forEach((n, i) => {
    if (n > (totals[peakSlot] ?? 0)) peakSlot = i;
  });
  const byService: Partial<Record<ServiceName, number>> = {};
  for (const s of services) {
    const n = counts.get(s)?.[peakSlot] ?? 0;
    if (n) byService[s] = n;
  }
  return {
    start,
    days,
    slotMs: SLOT_MS,
    services,
    counts,
    totals,
    peak: {
      slot: peakSlot,
      at: new Date(start.getTime() + peakSlot * SLOT_MS),
      total: totals[peakSlot] ?? 0,
      byService,
    },
    automatic,
  };
}
