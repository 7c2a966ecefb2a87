// A schedule's runs under its blackout windows, as the worker makes them (src/runtime/blackout.ts):
// a run due inside a window happens once, at the window's end, in place of every run due inside;
// the schedule then continues from that run. Pure; explain and simulate list runs with it.
import {
  type BlackoutWindow,
  CART_SERVICES,
  type CartModel,
  type Frequency,
  type MerchantModel,
} from "./model.js";
import { nextRunAfter } from "./next-runs.js";

/** A run, and when it stands for runs a window moved: the first one due, how many, the window. */
export interface PlannedRun {
  at: number;
  moved?: { due: number; runs: number; window: BlackoutWindow };
}

/** The blackout an instant is in: its window and end (blackoutAt, or a lookup in blackoutIntervals). */
export type HeldAt = (t: number) => { end: number; window: BlackoutWindow } | undefined;

/**
 * The runs of `freq` after `from` (ms, the last run) and before `until`, each moved out of the
 * blackouts `heldAt` reports. A frequency with a key-drawn phase must be resolved (resolvePhase).
 */
export function* plannedRuns(
  freq: Frequency,
  timezone: string,
  from: number,
  until: number,
  heldAt: HeldAt,
): Generator<PlannedRun> {
  let at = nextRunAfter(freq, timezone, new Date(from))?.getTime();
  while (at !== undefined && at < until) {
    const held = heldAt(at);
    if (!held) {
      yield { at };
      at = nextRunAfter(freq, timezone, new Date(at))?.getTime();
      continue;
    }
    // Every run due before the blackout's end is this one run at the end.
    let runs = 0;
    for (let due: number | undefined = at; due !== undefined && due < held.end; runs++)
      due = nextRunAfter(freq, timezone, new Date(due))?.getTime();
    if (held.end >= until) return;
    yield { at: held.end, moved: { due: at, runs, window: held.window } };
    at = nextRunAfter(freq, timezone, new Date(held.end))?.getTime();
  }
}

/**
 * The windows that cover a job (docs/schedules.md, Blackout windows): a merchant's (after Defaults')
 * cover its merchant services and its cleanup job, a cart's (after Defaults') its cart services; a
 * window with `services` only those (never cleanup: the pushes it triggers keep their own windows).
 * undefined when none.
 */
export function blackoutOf(
  merchant: MerchantModel,
  cart: CartModel | null,
  service: string,
): BlackoutWindow[] | undefined {
  const isCart = (CART_SERVICES as readonly string[]).includes(service);
  const windows = (isCart && cart ? cart.blackout : merchant.blackout) ?? [];
  const mine = windows.filter((w) => w.services === null || (w.services as string[]).includes(service));
  return mine.length ? mine : undefined;
}
