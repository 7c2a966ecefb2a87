// The planner sees a nextRunAt that contradicts the job's own schedule as drift (field case 14).
import { describe, expect, it } from "vitest";
import { latestNextRun, NEXT_RUN_TOLERANCE_MS, nextRunDrift } from "../../src/jobs/timing.js";
import type { ActualJob, DesiredJob } from "../../src/jobs/types.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import { plan } from "../../src/reconcile/plan.js";
import { AUTOMATIC, every, merchant } from "./desired-fixtures.js";

const NOW = new Date("2026-11-30T17:53:10Z");

function jobs(): DesiredJob[] {
  const m = merchant("m");
  m.services = {
    orderDelivery: AUTOMATIC,
    shippingConfirmations: every("5m", 300_000),
    inventory: { kind: "at", times: ["06:00"] },
  };
  return desiredJobs({ merchants: [m], documents: 1 });
}

const actualOf = (j: DesiredJob, nextRunAt: Date | null): ActualJob => ({
  id: `id-${j.key}`,
  key: j.key,
  storedHash: j.specHash,
  spec: j,
  nextRunAt,
});
const byKey = (key: string) => jobs().find((j) => j.key === key)!;

describe("nextRunDrift", () => {
  const five = byKey("m/shippingConfirmations");
  const daily = byKey("m/inventory");

  it("accepts any run up to the schedule's next one (plus tolerance), overdue ones too", () => {
    expect(nextRunDrift(five, new Date(NOW.getTime() - 3_600_000), NOW)).toBeUndefined();
    expect(
      nextRunDrift(five, new Date(NOW.getTime() + 300_000 + NEXT_RUN_TOLERANCE_MS), NOW),
    ).toBeUndefined();
    expect(nextRunDrift(daily, new Date("2026-12-01T06:00:00Z"), NOW)).toBeUndefined();
  });

  it("reports a later run (the old daily time after `every: 5m` was applied) and a missing one", () => {
    const tomorrow = new Date("2026-12-01T17:53:00Z");
    expect(nextRunDrift(five, tomorrow, NOW)).toEqual({
      nextRunAt: tomorrow,
      scheduledBy: new Date(NOW.getTime() + 300_000),
    });
    expect(nextRunDrift(daily, null, NOW)).toEqual({
      nextRunAt: null,
      scheduledBy: new Date("2026-12-01T06:00:00Z"),
    });
    expect(nextRunDrift(daily, new Date("2026-12-02T06:00:00Z"), NOW)?.scheduledBy).toEqual(
      new Date("2026-12-01T06:00:00Z"),
    );
  });

  it("says nothing for jobs without a timer: automatic, disabled", () => {
    expect(nextRunDrift(byKey("m/orderDelivery"), null, NOW)).toBeUndefined();
    expect(nextRunDrift({ ...five, disabled: true }, null, NOW)).toBeUndefined();
  });
});

describe("plan with the actual nextRunAt", () => {
  it("a spec in sync whose nextRunAt contradicts its schedule is a drift update that reschedules", () => {
    const desired = jobs();
    const tomorrow = new Date("2026-12-01T17:53:00Z");
    // Every other job is armed at its schedule's next run (cleanup too; automatic: none).
    const actual = desired.map((j) =>
      actualOf(j, j.key === "m/shippingConfirmations" ? tomorrow : (latestNextRun(j, NOW) ?? null)),
    );
    const p = plan(desired, actual, { now: NOW });
    expect(p.summary).toEqual({ create: 0, update: 1, delete: 0, unchanged: desired.length - 1 });
    expect(p.changes[0]).toMatchObject({
      action: "update",
      key: "m/shippingConfirmations",
      reason: "drift",
      rescheduled: true,
      nextRun: { nextRunAt: tomorrow },
    });
    // Without `now` (or without the actual nextRunAt) only specs are compared.
    expect(plan(desired, actual).summary.update).toBe(0);
    expect(
      plan(
        desired,
        desired.map((j) => ({ ...actualOf(j, null), nextRunAt: undefined })),
        { now: NOW },
      ).summary.update,
    ).toBe(0);
  });
});
