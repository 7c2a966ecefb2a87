// 5-field cron validation with the parser Agenda itself uses, so what validates here runs there.
// H items (load spreading, phase.ts) are checked by drawing them for a sample key first.
import { CronExpressionParser } from "cron-parser";
import { hashCron } from "./phase.js";

const FIELD_NAMES = "minute hour day-of-month month day-of-week";

// Parsing is the slow part of validating thousands of files that reuse a few expressions.
const checked = new Map<string, string>();

export type CronResult = { ok: true; expr: string } | { ok: false; message: string };

/** Checks a 5-field cron expression; returns it with whitespace normalised. */
export function parseCron(input: unknown, timezone = "UTC"): CronResult {
  if (typeof input !== "string")
    return { ok: false, message: `must be a quoted cron text like "15 */2 * * *"` };
  const fields = input.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 1 && fields[0]?.startsWith("@"))
    return {
      ok: false,
      message: `"${input}": macros like ${fields[0]} are not supported; write the 5 fields (${FIELD_NAMES})`,
    };
  if (fields.length === 6)
    return {
      ok: false,
      message: `"${input}" has 6 fields; seconds are not supported, use 5 fields (${FIELD_NAMES})`,
    };
  if (fields.length !== 5)
    return {
      ok: false,
      message: `"${input}" has ${fields.length} field${fields.length === 1 ? "" : "s"}; a cron needs 5 (${FIELD_NAMES})`,
    };
  const expr = fields.join(" ");
  const key = `${expr}|${timezone}`;
  let why = checked.get(key);
  if (why === undefined) {
    try {
      const hashed = hashCron(expr, "");
      if (!hashed.ok) throw new Error(hashed.message);
      CronExpressionParser.parse(hashed.expr, { tz: timezone });
      why = "";
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
    }
    if (checked.size > 10_000) checked.clear();
    checked.set(key, why);
  }
  if (why) return { ok: false, message: `"${input}" is not a valid cron expression: ${why}` };
  return { ok: true, expr };
}
