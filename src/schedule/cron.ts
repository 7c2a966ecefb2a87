// 5-field cron validation with the parser Agenda itself uses, so what validates here runs there.
// H items (load spreading, phase.ts) are checked by drawing them for a sample key first.

import { count } from "../platform/words.js";
import { CRON_FIELDS, cronProblem, cronZonePrefix } from "./cron-errors.js";
import { hashCron } from "./phase.js";

const FIELD_NAMES = CRON_FIELDS.map((f) => f.name).join(" ");

/** What each cron macro means (cronie's crontab(5)), to suggest its 5 fields. */
const MACROS: Record<string, string> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

// Parsing is the slow part of validating thousands of files that reuse a few expressions.
const checked = new Map<string, string>();

export type CronResult = { ok: true; expr: string } | { ok: false; message: string };

/** Checks a 5-field cron expression; returns it with whitespace normalised. */
export function parseCron(input: unknown, timezone = "UTC"): CronResult {
  if (typeof input !== "string")
    return { ok: false, message: `must be a quoted cron text like "15 */2 * * *"` };
  const fields = input.trim().split(/\s+/).filter(Boolean);
  const zone = cronZonePrefix(fields[0]);
  if (zone !== undefined)
    return {
      ok: false,
      message: `"${input}": a cron cannot carry its timezone; remove "${fields[0]}" and set timezone: ${zone || "<IANA name>"} in the Merchant's spec (spec.timezone; its carts use it too); crons run in that timezone`,
    };
  if (fields.length === 1 && fields[0]?.startsWith("@")) {
    const same = MACROS[fields[0].toLowerCase()];
    return {
      ok: false,
      message: `"${input}": macros like ${fields[0]} are not supported; write the 5 fields (${FIELD_NAMES})${same ? `: "${same}"` : ""}`,
    };
  }
  if (fields.length === 6)
    return {
      ok: false,
      message: `"${input}" has 6 fields; seconds are not supported, use 5 fields (${FIELD_NAMES})`,
    };
  if (fields.length !== 5)
    return {
      ok: false,
      message: `"${input}" has ${count(fields.length, "field")}; a cron needs 5 (${FIELD_NAMES})`,
    };
  const expr = fields.join(" ");
  const key = `${expr}|${timezone}`;
  let why = checked.get(key);
  if (why === undefined) {
    const hashed = hashCron(expr, "");
    why = hashed.ok ? cronProblem(hashed.expr.split(" "), timezone) : hashed.message;
    if (checked.size > 10_000) checked.clear();
    checked.set(key, why);
  }
  if (why) return { ok: false, message: `"${input}" is not a valid cron expression: ${why}` };
  return { ok: true, expr };
}
