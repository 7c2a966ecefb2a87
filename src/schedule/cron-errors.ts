// cron-parser's errors (node_modules/cron-parser/dist/CronExpressionParser.js) as messages that name
// the field at fault and say what it takes; test/unit/cron-errors.test.ts covers each error text.
import { CronExpressionParser } from "cron-parser";

/** The five fields, with what each takes. */
export const CRON_FIELDS = [
  { name: "minute", range: "0-59" },
  { name: "hour", range: "0-23" },
  { name: "day-of-month", range: "1-31" },
  { name: "month", range: "1-12 or JAN-DEC" },
  { name: "day-of-week", range: "0-7 or SUN-SAT (0 and 7 are Sunday)" },
] as const;

const FORMS = "a number, *, a range a-b, a list a,b or a step */n";

function why(expr: string, timezone: string): string {
  try {
    CronExpressionParser.parse(expr, { tz: timezone });
    return "";
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** What to do about one field's error text. */
function advice(raw: string, value: string, field: (typeof CRON_FIELDS)[number]): string {
  const at = `${field.name} "${value}"`;
  if (/^Constraint error, got (value|range)/.test(raw) || /outside the .* range/.test(raw))
    return /NaN/.test(raw)
      ? `${at} is not a valid range; write low-high, e.g. 1-5 (allowed: ${field.range})`
      : `${at} is out of range; allowed: ${field.range}`;
  if (/^Invalid range/.test(raw))
    return `${at} is not a valid range; write low-high with low ≤ high, e.g. 1-5 (allowed: ${field.range})`;
  if (/repeat|Invalid step/.test(raw))
    return `${at} has an invalid step; write */n or a-b/n with n ≥ 1 (allowed: ${field.range})`;
  if (/cannot resolve alias/.test(raw))
    return `${at}: names are JAN-DEC for months and SUN-SAT for days of the week`;
  if (/occurrence number|special characters are incompatible/.test(raw))
    return `${at}: day#n means the n-th such weekday of the month, n from 1 to 5, without L`;
  if (/Invalid wildcard/.test(raw)) return `${at}: write a single * for "every"`;
  if (/Invalid list/.test(raw)) return `${at}: a list is values separated by single commas, e.g. 1,15,30`;
  if (/Invalid characters/.test(raw)) return `${at} is not ${FORMS} (allowed: ${field.range})`;
  return `${at}: ${raw}; write ${FORMS} (allowed: ${field.range})`;
}

/**
 * Why a 5-field expression is refused, as advice naming the field at fault; "" when it is valid.
 * Each field is tried alone (the others `*`) to find the culprit; what only fails in combination
 * (day 31 of February) is explained as such. `timezone`: IANA name the job runs in.
 */
export function cronProblem(fields: readonly string[], timezone: string): string {
  const whole = why(fields.join(" "), timezone);
  if (!whole) return "";
  for (const [i, field] of CRON_FIELDS.entries()) {
    const alone = fields.map((f, j) => (j === i ? f : "*")).join(" ");
    const raw = why(alone, timezone);
    if (raw) return advice(raw, fields[i] ?? "", field);
  }
  if (/explicit day of month/.test(whole))
    return `day-of-month "${fields[2]}" never occurs in month "${fields[3]}"; pick days that exist in that month`;
  return `${whole}; fields are ${CRON_FIELDS.map((f) => `${f.name} (${f.range})`).join(", ")}`;
}

/**
 * A `CRON_TZ=`/`TZ=` prefix (cronie, Kubernetes CronJob): the zone is not part of a schedsync cron;
 * it is the merchant's spec.timezone. Returns the zone written, if any.
 */
export function cronZonePrefix(first: string | undefined): string | undefined {
  return /^(?:CRON_)?TZ=(.*)$/.exec(first ?? "")?.[1];
}
