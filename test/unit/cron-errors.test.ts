// Every error cron-parser raises while checking a 5-field cron maps to one message naming the field
// at fault and what it takes (the texts: node_modules/cron-parser/dist/CronExpressionParser.js).
import { describe, expect, it } from "vitest";
import { parseCron } from "../../src/schedule/cron.js";

const CASES: [string, string, RegExp][] = [
  ["got value … expected range", "61 * * * *", /minute "61" is out of range; allowed: 0-59/],
  ["got value (day of month)", "0 0 0 * *", /day-of-month "0" is out of range; allowed: 1-31/],
  ["got value (day of week)", "0 0 * * 8", /day-of-week "8" is out of range; allowed: 0-7 or SUN-SAT/],
  ["got range … expected range", "1-70 * * * *", /minute "1-70" is out of range; allowed: 0-59/],
  ["got range NaN", "1-/2 * * * *", /minute "1-\/2" is not a valid range; write low-high/],
  [
    "Invalid characters",
    "0 0 1W * *",
    /day-of-month "1W" is not a number, \*, a range a-b, a list a,b or a step \*\/n/,
  ],
  [
    "cannot repeat at every 0",
    "*/0 * * * *",
    /minute "\*\/0" has an invalid step; write \*\/n or a-b\/n with n ≥ 1/,
  ],
  [
    "Invalid range min > max",
    "0 30-10 * * *",
    /hour "30-10" is not a valid range|hour "30-10" is out of range/,
  ],
  ["Invalid range (two dashes)", "1-2-3 * * * *", /minute "1-2-3" is not a valid range; write low-high/],
  ["cannot resolve alias", "0 0 * FOO *", /month "FOO": names are JAN-DEC for months and SUN-SAT/],
  ["occurrence number (#)", "0 0 * * 1#6", /day-of-week "1#6": day#n means the n-th such weekday/],
  ["# and L incompatible", "0 0 * * 1#2L", /day-of-week "1#2L": day#n means/],
  ["Invalid wildcard", "** * * * *", /minute "\*\*": write a single \* for "every"/],
  ["Invalid list value format", "1,,2 * * * *", /minute "1,,2": a list is values separated by single commas/],
  [
    "Invalid explicit day of month",
    "0 0 30 2 *",
    /day-of-month "30" never occurs in month "2"; pick days that exist/,
  ],
];

describe("cron-parser errors → one message naming the field", () => {
  for (const [error, expr, want] of CASES)
    it(`${error}: ${expr}`, () => {
      const r = parseCron(expr);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.message).toMatch(
        new RegExp(`^"${expr.replace(/[*+?^$()[\]{}|\\/.]/g, "\\$&")}" is not a valid cron expression: `),
      );
      expect(r.message).toMatch(want);
      expect(r.message).not.toMatch(/Constraint error|Invalid characters|Validation error|NaN/);
    });

  it.each([
    ["CRON_TZ=Asia/Tokyo 0 6 * * *", "CRON_TZ=Asia/Tokyo", "Asia/Tokyo"],
    ["TZ=Europe/Berlin 30 7 * * 1-5", "TZ=Europe/Berlin", "Europe/Berlin"],
  ])("a zone prefix belongs in spec.timezone: %s", (expr, prefix, zone) => {
    const r = parseCron(expr);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain(
        `remove "${prefix}" and set timezone: ${zone} in the Merchant's spec (spec.timezone`,
      );
      expect(r.message).not.toMatch(/fields|seconds/);
    }
  });

  it("a macro is answered with its 5 fields", () => {
    const r = parseCron("@daily");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/@daily are not supported.*: "0 0 \* \* \*"$/);
  });
});
