// `blackout:` lists (schemas/common.schema.json#/definitions/blackout) → BlackoutWindow, with the
// checks the schema cannot make: which fields go together, cron text, durations, empty windows,
// and services of the right owner. Structure (types, patterns, unknown fields) is the schema's.
import { formatDuration, parseDuration } from "../platform/duration.js";
import { datedInstant } from "../schedule/blackout.js";
import { parseCron } from "../schedule/cron.js";
import {
  type BlackoutTimes,
  type BlackoutWindow,
  CART_SERVICES,
  MERCHANT_SERVICES,
  type ServiceName,
} from "../schedule/model.js";
import { nextRunAfter } from "../schedule/next-runs.js";
import { hasHash } from "../schedule/phase.js";
import type { FrequencyIssue } from "./frequency.js";

type Obj = Record<string, unknown>;
export type BlackoutOwner = BlackoutWindow["owner"];

/** Longest cron window: the longest `every`, so a weekly window can take the whole week but one minute. */
export const MAX_BLACKOUT_MS = 7 * 86_400_000;
const FORMS = `{ cron: "0 2 * * 0", duration: 2h }, { from: "23:00", to: "01:00" } or { start: 2026-11-27T00:00, end: 2026-12-01T00:00 }`;
const PAIRS = [
  ["cron", "duration"],
  ["from", "to"],
  ["start", "end"],
] as const;
/** Cron starts looked at to tell a window that never ends (each start before the last one's end). */
const ENDLESS_STARTS = 500;
const endless = new Map<string, boolean>();

/** The windows, and issues whose paths start at the list (index first), messages without the path. */
export type BlackoutResult = { windows: BlackoutWindow[]; issues: FrequencyIssue[] };

/**
 * Checks a `blackout:` list of a document (already schema-valid in structure). `timezone`: the
 * merchant's (Defaults: its own), used to check crons and dated windows. Issues' paths are relative
 * to the list.
 */
export function parseBlackout(value: unknown, owner: BlackoutOwner, timezone: string): BlackoutResult {
  const out: BlackoutResult = { windows: [], issues: [] };
  if (!Array.isArray(value)) return out;
  value.forEach((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return;
    const issue = (path: (string | number)[], message: string, key = false) =>
      out.issues.push({ path: [i, ...path], message, key });
    const w = item as Obj;
    const times = readTimes(w, timezone, issue);
    const services = servicesOf(w, owner, issue);
    if (!times || services === undefined) return;
    const reason = typeof w.reason === "string" ? w.reason : null;
    out.windows.push({ ...times, reason, services, owner });
  });
  return out;
}

type Issue = (path: (string | number)[], message: string, key?: boolean) => void;

function readTimes(w: Obj, timezone: string, issue: Issue): BlackoutTimes | undefined {
  const present = PAIRS.filter(([a, b]) => a in w || b in w);
  if (present.length !== 1) {
    const written = present.flatMap(([a, b]) => [a, b].filter((k) => k in w));
    issue(
      [],
      present.length === 0
        ? `window needs its times: one of ${FORMS}`
        : `window mixes ${written.join(", ")}: a window is one of ${FORMS}`,
    );
    return undefined;
  }
  const [a, b] = present[0] as (typeof PAIRS)[number];
  const missing = a in w ? b : a;
  if (!(missing in w)) {
    issue([a in w ? a : b], `window with ${a in w ? a : b} needs ${missing}: ${FORMS}`, true);
    return undefined;
  }
  if (a === "cron") return cronTimes(w, timezone, issue);
  if (a === "from") {
    const from = String(w.from);
    const to = String(w.to);
    if (from === to) {
      issue(["to"], `to "${to}" equals from: the window is empty (a whole day: from "00:00", to "23:59")`);
      return undefined;
    }
    return { kind: "daily", from, to };
  }
  const start = String(w.start);
  const end = String(w.end);
  const s = datedInstant(start, timezone, "first");
  const e = datedInstant(end, timezone, "last");
  if (Number.isNaN(s)) issue(["start"], `start "${start}" is not a date that exists`);
  if (Number.isNaN(e)) issue(["end"], `end "${end}" is not a date that exists`);
  if (Number.isNaN(s) || Number.isNaN(e)) return undefined;
  if (e <= s) {
    issue(["end"], `end "${end}" is not after start "${start}"; a dated window needs end > start`);
    return undefined;
  }
  return { kind: "dated", start, end };
}

function cronTimes(w: Obj, timezone: string, issue: Issue): BlackoutTimes | undefined {
  const cron = parseCron(w.cron, timezone);
  if (!cron.ok) issue(["cron"], `cron: ${cron.message}`);
  else if (hasHash(cron.expr))
    issue(["cron"], `cron "${cron.expr}": H spreads load and is drawn per job; a window needs fixed times`);
  const d = parseDuration(w.duration);
  if (!d.ok) issue(["duration"], `duration: ${d.message}`);
  else if (d.ms < 60_000 || d.ms > MAX_BLACKOUT_MS)
    issue(
      ["duration"],
      `duration "${String(w.duration)}" is ${d.ms === 0 ? "zero-length" : "out of range"}; use 1m to ${formatDuration(MAX_BLACKOUT_MS)}`,
    );
  if (!cron.ok || hasHash(cron.expr) || !d.ok || d.ms < 60_000 || d.ms > MAX_BLACKOUT_MS) return undefined;
  if (neverEnds(cron.expr, d.ms, timezone)) {
    issue(
      ["duration"],
      `duration ${d.text} is at least the time between the starts of cron "${cron.expr}": the window would never end; make it shorter`,
    );
    return undefined;
  }
  return { kind: "cron", cron: cron.expr, duration: d.text, durationMs: d.ms };
}

/** True when each of the next starts comes before the previous window ends (checked over ENDLESS_STARTS). */
function neverEnds(expr: string, ms: number, timezone: string): boolean {
  const id = `${expr}|${ms}|${timezone}`;
  let known = endless.get(id);
  if (known === undefined) {
    known = true;
    const freq = { kind: "cron" as const, expr };
    let last = nextRunAfter(freq, timezone, new Date());
    for (let n = 0; last && n < ENDLESS_STARTS; n++) {
      const next = nextRunAfter(freq, timezone, last);
      if (!next || next.getTime() - last.getTime() > ms) {
        known = false;
        break;
      }
      last = next;
    }
    endless.set(id, known);
  }
  return known;
}

/** The window's `services` (null: all), or undefined after reporting a service of the wrong owner. */
function servicesOf(w: Obj, owner: BlackoutOwner, issue: Issue): ServiceName[] | null | undefined {
  if (!Array.isArray(w.services)) return null;
  const services = w.services as ServiceName[];
  const allowed: readonly string[] =
    owner === "merchant"
      ? MERCHANT_SERVICES
      : owner === "cart"
        ? CART_SERVICES
        : [...MERCHANT_SERVICES, ...CART_SERVICES];
  const wrong = services.findIndex((s) => !allowed.includes(s));
  if (wrong === -1) return services;
  const name = services[wrong];
  issue(
    ["services", wrong],
    `services: ${name} is a ${owner === "merchant" ? "cart" : "merchant"} service; a ${owner === "merchant" ? "Merchant" : "Cart"}'s window covers its own services (${allowed.join(", ")}): put this window on the ${owner === "merchant" ? "Cart" : "Merchant"}`,
  );
  return undefined;
}
