// Checks of connection.rateLimit that the schema cannot make: `per` of at least 1s (an error), and
// schedules that need more calls in an hour than the connection's budget allows (a warning: the
// budget makes runs wait or end early, nothing breaks; see schedule/api-calls.ts for the count).
import { formatDuration, parseDuration } from "../platform/duration.js";
import { apiCalls, ownerName } from "../schedule/api-calls.js";
import type { ScheduleModel } from "../schedule/model.js";
import { MIN_PER_MS } from "../schedule/rate-limit.js";

/** The problem of a connection's rateLimit.per the schema lets through (a duration under 1s). */
export function rateLimitPerProblem(connection: unknown): string | undefined {
  const rl = (connection as { rateLimit?: { per?: unknown } } | undefined)?.rateLimit;
  if (typeof rl !== "object" || rl === null) return undefined;
  const per = parseDuration(rl.per);
  if (!per.ok || per.ms >= MIN_PER_MS) return undefined;
  return `connection.rateLimit.per must be at least 1s, got "${String(rl.per)}" (a budget is a number of requests per second, minute or hour)`;
}

export interface BudgetWarning {
  merchantId: string;
  cartId?: string;
  message: string;
}

/** Budgets whose busiest hour over the next 7 days needs more calls than they allow, at the first connection using each. */
export function budgetWarnings(model: ScheduleModel, now = new Date()): BudgetWarning[] {
  const out: BudgetWarning[] = [];
  for (const use of apiCalls(model, { from: now, days: 7 })) {
    if (use.peak.calls <= use.allowedPerHour) continue;
    const { requests, perMs, burst } = use.limit;
    const owners = use.owners.map(ownerName).join(", ");
    out.push({
      ...use.owners[0]!,
      message:
        `connection.rateLimit: the schedules of ${owners} need at least ${use.peak.calls} API calls in their busiest hour ` +
        `(one per run of each periodic service), more than the budget allows: ${use.allowedPerHour} an hour ` +
        `(${requests} per ${formatDuration(perMs)}, burst ${burst}); runs will wait for tokens or end early. ` +
        "Run less often, or raise the budget if the platform allows it",
    });
  }
  return out;
}
