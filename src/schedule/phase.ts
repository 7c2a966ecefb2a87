// Load spreading: a stable per-key phase inside an `every` interval and `H` in cron fields (the idea
// behind Jenkins' H). Drawn from a sha256 of the job key, never Math.random, so the same key always
// gets the same phase and re-applies do not move a job. See docs/schedules.md, "Load spreading".
import { createHash } from "node:crypto";
import type { Frequency } from "./model.js";

/**
 * The key a phase is drawn from: `<merchant>/<service>` or `<merchant>/<cart>/<service>`. It is the
 * reconciler's job key (docs/reconcile.md, "Keys and job names").
 */
export function serviceKey(merchantId: string, cartId: string | null, service: string): string {
  return cartId === null ? `${merchantId}/${service}` : `${merchantId}/${cartId}/${service}`;
}

/** A stable integer in [0, n) from the key and a label (48 bits of sha256, so the bias is negligible). */
export function draw(key: string, label: string, n: number): number {
  const digest = createHash("sha256").update(key).update("\0").update(label).digest();
  return digest.readUIntBE(0, 6) % n;
}

/** The phase of `every: ms` for a key: whole seconds in [0, ms). */
export function everyPhase(key: string, ms: number): number {
  return draw(key, "every", Math.max(1, Math.floor(ms / 1000))) * 1000;
}

// Field ranges of a 5-field cron; day-of-month H stays in 1..28 so it exists in every month (as Jenkins).
const RANGES: readonly [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 28],
  [1, 12],
  [0, 6],
];
const FIELDS = ["minute", "hour", "day-of-month", "month", "day-of-week"];
const H_ITEM = /^H(?:\((\d+)-(\d+)\))?(?:\/(\d+))?$/;

/** True when a cron expression uses H in any field. */
export function hasHash(expr: string): boolean {
  return expr
    .trim()
    .split(/\s+/)
    .some((field) => field.split(",").some((item) => item.startsWith("H")));
}

export type HashCronResult = { ok: true; expr: string } | { ok: false; message: string };

/**
 * Replaces H items of a 5-field cron with values drawn from the key: `H` (a value in the field's
 * range), `H/n` (a start in [0, n) stepping by n), `H(a-b)` and `H(a-b)/n`. An expression with H also
 * gets a drawn seconds field (6 fields, as cron-parser and Agenda read them), so jobs hashed to the same
 * minute still start in different seconds. Without H the expression is returned unchanged.
 */
export function hashCron(expr: string, key: string): HashCronResult {
  const fields = expr.trim().split(/\s+/);
  if (!hasHash(expr)) return { ok: true, expr };
  if (fields.length !== 5) return { ok: false, message: `H needs the 5 fields (${FIELDS.join(" ")})` };
  const out: string[] = [];
  for (let i = 0; i < 5; i++) {
    const [lo, hi] = RANGES[i] as [number, number];
    const items: string[] = [];
    for (const [j, item] of (fields[i] as string).split(",").entries()) {
      if (!item.startsWith("H")) {
        items.push(item);
        continue;
      }
      const m = H_ITEM.exec(item);
      if (!m) return { ok: false, message: `${FIELDS[i]} "${item}": use H, H/n, H(a-b) or H(a-b)/n` };
      const a = m[1] === undefined ? lo : Number(m[1]);
      const b = m[2] === undefined ? hi : Number(m[2]);
      const step = m[3] === undefined ? undefined : Number(m[3]);
      if (a < lo || b > hi || a > b)
        return { ok: false, message: `${FIELDS[i]} "${item}": the range must be inside ${lo}-${hi}` };
      if (step !== undefined && (step < 1 || step > b - a + 1))
        return { ok: false, message: `${FIELDS[i]} "${item}": the step must be 1..${b - a + 1}` };
      const label = `cron ${i} ${j}`;
      if (step === undefined) items.push(String(a + draw(key, label, b - a + 1)));
      else items.push(`${a + draw(key, label, step)}-${b}/${step}`);
    }
    out.push(items.join(","));
  }
  return { ok: true, expr: `${draw(key, "cron second", 60)} ${out.join(" ")}` };
}

/**
 * The frequency with its phase fixed for one job key: `every` with offset "H" gets its drawn offset
 * (ms), a cron with H gets its drawn values. Anything else is returned as is. Throws on a malformed H
 * (the loader has rejected those already).
 */
export function resolvePhase(freq: Frequency, key: string): Frequency {
  if (freq.kind === "every" && freq.offset === "H") return { ...freq, offset: everyPhase(key, freq.ms) };
  if (freq.kind === "cron" && hasHash(freq.expr)) {
    const r = hashCron(freq.expr, key);
    if (!r.ok) throw new Error(`cron "${freq.expr}": ${r.message}`);
    return { kind: "cron", expr: r.expr };
  }
  return freq;
}
