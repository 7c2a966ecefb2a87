// The status page's blackout windows: per merchant and cart, the window it is in now (until when)
// or the next one, from the windows its jobs carry. Pure.
import type { JobHealthRow } from "../jobs/health.js";
import { blackoutAt, describeWindow, nextBlackout } from "../schedule/blackout.js";
import type { BlackoutWindow } from "../schedule/model.js";

export interface BlackoutRow {
  /** "acme" (the merchant's services and cleanup) or "acme/shopify-us" (the cart's). */
  owner: string;
  timezone: string;
  /** The window it is in now and when the blackout ends; null: none. */
  active: { window: string; end: Date } | null;
  /** The next window to begin; null: none ahead. */
  next: { window: string; start: Date; end: Date } | null;
}

/** One row per merchant or cart whose jobs have windows, sorted by owner. */
export function blackoutRows(health: readonly JobHealthRow[], now: Date): BlackoutRow[] {
  const owners = new Map<string, { timezone: string; windows: Map<string, BlackoutWindow> }>();
  for (const j of health) {
    if (!j.blackout?.length) continue;
    const owner = j.cartId ? `${j.merchantId}/${j.cartId}` : j.merchantId;
    const o = owners.get(owner) ?? { timezone: j.timezone, windows: new Map() };
    for (const w of j.blackout) o.windows.set(JSON.stringify(w), w);
    owners.set(owner, o);
  }
  return [...owners.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([owner, { timezone, windows }]) => {
      const list = [...windows.values()];
      const active = blackoutAt(list, timezone, now);
      const next = nextBlackout(list, timezone, active?.end ?? now);
      return {
        owner,
        timezone,
        active: active ? { window: describeWindow(active.window), end: active.end } : null,
        next: next ? { window: describeWindow(next.window), start: next.start, end: next.end } : null,
      };
    });
}
