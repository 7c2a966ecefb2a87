// Load from the schedules alone: how many runs each service makes in every 15-minute slot over
// the coming days, so a reviewer sees spikes (3,000 merchants at 09:00) before merging.
import { apiCalls, type BudgetUse } from "./api-calls.js";
import { blackoutOf } from "./blackout-runs.js";
import type { BlackoutWindow, Frequency, ScheduleModel, ServiceName } from "./model.js";
import { nextRunAfter } from "./next-runs.js";
import { resolvePhase, serviceKey } from "./phase.js";
import { type BlackoutEffect, BlackoutTally } from "./simulate-blackout.js";
import { nextChangeAt } from "./tz-gaps.js";

export const SLOT_MS = 15 * 60_000;
// Runs this close to a DST change are computed one by one (no zone moves its clock by more at once).
const SLACK_MS = 4 * 3_600_000;

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
  /** Per blackout window: its occurrences in the period and the runs it moved (simulate-blackout.ts). */
  blackout: BlackoutEffect[];
  /** API calls per hour of each connection budget (connection.rateLimit), see api-calls.ts. */
  budgets: BudgetUse[];
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

  const startMs = start.getTime();
  // One chain of slot indexes per distinct (timezone, frequency after its phase), and per service
  // how many jobs follow each chain: 30,000 carts share a few thousand chains, and each chain is
  // added to the counts once, times its jobs.
  const chains = new Map<string, number[]>();
  const tally = new BlackoutTally(startMs, end);
  const jobs = new Map<ServiceName, Map<number[], number>>();
  // Jobs under blackout windows have runs of their own (moved to a window's end): not shared.
  const own = new Map<ServiceName, number[]>();
  const add = (
    service: ServiceName,
    freq: Frequency,
    timezone: string,
    key: string,
    windows?: BlackoutWindow[],
  ) => {
    if (freq.kind === "automatic") automatic++;
    if (freq.kind === "off" || freq.kind === "automatic") return;
    const f = resolvePhase(freq, key);
    if (windows) {
      let row = own.get(service);
      if (!row) {
        row = new Array<number>(slots).fill(0);
        own.set(service, row);
      }
      const owner = key.slice(0, key.lastIndexOf("/"));
      for (const at of tally.runs(f, timezone, windows, owner)) {
        const i = Math.floor((at - startMs) / SLOT_MS);
        row[i] = (row[i] ?? 0) + 1;
      }
      return;
    }
    // A phased `every`'s runs depend on its interval and phase only (not on how `text` spells it).
    const id =
      f.kind === "every" && typeof f.offset === "number"
        ? `${timezone}\0every\0${f.ms}\0${f.offset}`
        : `${timezone}\0${JSON.stringify(f)}`;
    let chain = chains.get(id);
    if (!chain) {
      chain = chainOf(f, timezone, startMs, end);
      chains.set(id, chain);
    }
    let byChain = jobs.get(service);
    if (!byChain) {
      byChain = new Map();
      jobs.set(service, byChain);
    }
    byChain.set(chain, (byChain.get(chain) ?? 0) + 1);
  };

  for (const m of model.merchants) {
    if (m.suspended) continue;
    for (const [service, freq] of Object.entries(m.services))
      add(
        service as ServiceName,
        freq,
        m.timezone,
        serviceKey(m.id, null, service),
        blackoutOf(m, null, service),
      );
    for (const c of m.carts) {
      if (c.suspended) continue;
      for (const [service, freq] of Object.entries(c.services))
        add(
          service as ServiceName,
          freq,
          m.timezone,
          serviceKey(m.id, c.id, service),
          blackoutOf(m, c, service),
        );
    }
  }
  for (const service of new Set([...jobs.keys(), ...own.keys()])) {
    const row = own.get(service) ?? new Array<number>(slots).fill(0);
    for (const [chain, n] of jobs.get(service) ?? []) for (const i of chain) row[i] = (row[i] ?? 0) + n;
    counts.set(service, row);
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
    blackout: tally.list(),
    budgets: apiCalls(model, { from: start, days }),
  };
}

/** Slot indexes (SLOT_MS from `start`) of the runs of `f` in [start, end), in order. */
function chainOf(f: Frequency, timezone: string, start: number, end: number): number[] {
  const list: number[] = [];
  const slotOf = (at: number) => list.push(Math.floor((at - start) / SLOT_MS));
  if (f.kind === "every" && typeof f.offset === "number") {
    // Away from DST changes runs are exactly `ms` apart: step by it, and one run at a time only near
    // a change.
    const ms = f.ms;
    const bound = Math.ceil((end - start) / SLOT_MS) + 10;
    let at = nextRunAfter(f, timezone, new Date(start))?.getTime() ?? end;
    for (let n = 0; at < end; n++) {
      if (n > bound) throw new Error(`simulate: every ${f.text} in ${timezone} does not advance`);
      // Each `at` is a run; it is followed by at + ms as long as no change is near.
      const calm = nextChangeAt(timezone, at - SLACK_MS) - SLACK_MS - ms;
      for (; at <= calm && at < end; at += ms) slotOf(at);
      if (at >= end) break;
      slotOf(at);
      const next = nextRunAfter(f, timezone, new Date(at))?.getTime() ?? end;
      if (next <= at) throw new Error(`simulate: the run after ${new Date(at).toISOString()} is not later`);
      at = next;
    }
    return list;
  }
  const step = (at: number) => nextRunAfter(f, timezone, new Date(at))?.getTime() ?? null;
  forEachRun(start, end, step, slotOf);
  return list;
}

/**
 * Calls `visit` for each run in (start, end): the first after `start` (taken as the last run), then
 * `step` from each run. Never loops: a step that does not move forward, or more runs than seconds in
 * the window, is an error naming the instant.
 */
function forEachRun(
  start: number,
  end: number,
  step: (at: number) => number | null,
  visit: (at: number) => void,
): void {
  const bound = Math.ceil((end - start) / 1000) + 2;
  let at = step(start);
  for (let n = 0; at !== null && at < end; n++) {
    if (n > bound) throw new Error(`simulate: more runs than seconds from ${new Date(start).toISOString()}`);
    visit(at);
    const next = step(at);
    if (next !== null && next <= at)
      throw new Error(
        `simulate: the run after ${new Date(at).toISOString()} is not later (${new Date(next).toISOString()})`,
      );
    at = next;
  }
}
