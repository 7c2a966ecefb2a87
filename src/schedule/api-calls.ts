// API calls per connection budget, from the schedules alone (simulate shows them; validate warns
// when they exceed the budget). Assumption, the minimum a run can make: one call per run of a
// periodic service (one pull page, or one push batch); a run with more pages or batches makes more,
// so a budget this shows as exceeded is exceeded for sure. Automatic services run on demand and are
// counted apart (how often depends on the traffic, not the schedules).
import { CronExpressionParser } from "cron-parser";
import { DateTime } from "luxon";
import type { ConnectionSpec, Frequency, ScheduleModel } from "./model.js";
import { nextRunAfter } from "./next-runs.js";
import { resolvePhase, serviceKey } from "./phase.js";
import { budgetKey, callsPerHour, parseRateLimit, type RateLimit } from "./rate-limit.js";

export const CALLS_PER_RUN = 1;
const HOUR_MS = 3_600_000;

export interface BudgetOwner {
  merchantId: string;
  /** Absent: the merchant's WMS connection. */
  cartId?: string;
}

export interface BudgetUse {
  /** The budget's key (rate-limit.ts budgetKey). */
  key: string;
  limit: RateLimit;
  /** The connections drawing on it, in model order. */
  owners: BudgetOwner[];
  /** Calls of periodic services in each hour from `start`. */
  hourly: number[];
  peak: { at: Date; calls: number };
  /** Calls one hour allows: requests per hour at full pace, plus the burst once. */
  allowedPerHour: number;
  /** Automatic services on it (their calls come on demand; not in `hourly`). */
  automatic: number;
}

/** Each budget's calls per hour over `days` days from the hour at or before `from`. */
export function apiCalls(model: ScheduleModel, opts: { from: Date; days: number }): BudgetUse[] {
  const start = Math.floor(opts.from.getTime() / HOUR_MS) * HOUR_MS;
  const hours = opts.days * 24;
  const uses = new Map<string, BudgetUse>();
  const visit = (
    owner: BudgetOwner,
    connection: ConnectionSpec | undefined,
    services: Record<string, Frequency>,
    timezone: string,
  ) => {
    if (!connection || connection.rateLimit === undefined) return;
    const r = parseRateLimit(connection.rateLimit);
    if (!r.ok) return;
    const key = budgetKey(connection, owner);
    let use = uses.get(key);
    if (!use) {
      use = {
        key,
        limit: r.limit,
        owners: [],
        hourly: new Array<number>(hours).fill(0),
        peak: { at: new Date(start), calls: 0 },
        allowedPerHour: Math.floor(callsPerHour(r.limit)) + r.limit.burst,
        automatic: 0,
      };
      uses.set(key, use);
    }
    use.owners.push(owner);
    for (const [service, freq] of Object.entries(services)) {
      if (freq.kind === "automatic") use.automatic++;
      if (freq.kind === "off" || freq.kind === "automatic") continue;
      const jobKey = serviceKey(owner.merchantId, owner.cartId ?? null, service);
      countRuns(freq, timezone, jobKey, start, hours, use.hourly);
    }
  };
  for (const m of model.merchants) {
    if (m.suspended) continue;
    visit({ merchantId: m.id }, m.connection, m.services, m.timezone);
    for (const c of m.carts)
      if (!c.suspended) visit({ merchantId: m.id, cartId: c.id }, c.connection, c.services, m.timezone);
  }
  for (const use of uses.values()) {
    let peak = 0;
    use.hourly.forEach((n, i) => {
      if (n > (use.hourly[peak] ?? 0)) peak = i;
    });
    use.peak = { at: new Date(start + peak * HOUR_MS), calls: use.hourly[peak] ?? 0 };
  }
  return [...uses.values()];
}

/**
 * Adds CALLS_PER_RUN to the hour of each run in [start, start + hours). Cheap enough for validate
 * (about 170 steps a week for any cron): `every` is stepped by its interval (DST changes move
 * none of its runs in or out of an hour), a cron one hour at a time (the minutes of its minute
 * field from the first run of that hour on, counted in the hour of that run).
 */
function countRuns(
  freq: Frequency,
  timezone: string,
  key: string,
  start: number,
  hours: number,
  out: number[],
) {
  const end = start + hours * HOUR_MS;
  const add = (at: number, n: number) => {
    const i = Math.floor((at - start) / HOUR_MS);
    out[i] = (out[i] ?? 0) + n * CALLS_PER_RUN;
  };
  const f = resolvePhase(freq, key);
  const first = nextRunAfter(f, timezone, new Date(start - 1));
  if (!first) return;
  let at = first.getTime();
  if (f.kind === "every") {
    for (; at < end; at += f.ms) add(at, 1);
    return;
  }
  if (f.kind === "cron") {
    const cron = CronExpressionParser.parse(f.expr, { tz: timezone });
    const minutes = cron.fields.minute.values as number[];
    while (at < end) {
      const minute: number = DateTime.fromMillis(at, { zone: timezone }).minute;
      add(at, minutes.filter((m) => m >= minute).length);
      // From the last minute of this hour: the first run of the next hour that has one.
      cron.reset(new Date(at + (59 - minute) * 60_000));
      at = cron.next().getTime();
    }
    return;
  }
  // `at`: a few runs a day.
  for (let n = 0; at < end && n < hours * 60; n++) {
    add(at, 1);
    const next = nextRunAfter(f, timezone, new Date(at));
    if (!next) return;
    at = next.getTime();
  }
}

/** Who draws on a budget, as `merchant` (its WMS) or `merchant/cart`. */
export function ownerName(o: BudgetOwner): string {
  return o.cartId ? `${o.merchantId}/${o.cartId}` : `${o.merchantId} (WMS)`;
}
