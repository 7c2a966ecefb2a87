// Guards, next runs and their rendering in the PR comment, on plans the planner really makes.
import { describe, expect, it } from "vitest";
import { renderPlanComment } from "../../src/cli/views/plan-comment.js";
import { actualFromDocument, jobIdHex, newJobDocument } from "../../src/jobs/document.js";
import type { ActualJob } from "../../src/jobs/types.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import { massDeleteGuard } from "../../src/reconcile/guards.js";
import { plan } from "../../src/reconcile/plan.js";
import { plannedRuns } from "../../src/reconcile/planned-runs.js";
import { AUTOMATIC, cart, every, merchant } from "./desired-fixtures.js";

function asActual(jobs: ReturnType<typeof desiredJobs>): ActualJob[] {
  return jobs.flatMap((j) => actualFromDocument({ _id: jobIdHex(j.key), ...newJobDocument(j, "old") }) ?? []);
}

const NOW = new Date("2026-03-02T10:07:00Z");
const many = desiredJobs({
  documents: 2,
  merchants: [merchant("acme", { carts: [cart("shop", "acme"), cart("ebay", "acme")] }), merchant("zen")],
});

describe("massDeleteGuard", () => {
  it("is hit when more than half of the managed jobs go, and names its flag", () => {
    const few = desiredJobs({ documents: 1, merchants: [merchant("zen")] });
    const p = plan(few, asActual(many));
    const hit = massDeleteGuard(p, many.length);
    expect(hit).toEqual({
      guard: "mass-delete",
      flag: "--allow-mass-delete",
      allowed: false,
      deletes: p.summary.delete,
      managed: many.length,
    });
    expect(p.summary.delete).toBeGreaterThan(many.length / 2);
    expect(massDeleteGuard(p, many.length, true)?.allowed).toBe(true);
  });

  it("is not hit at exactly half, nor on an empty store", () => {
    const p = { changes: [], summary: { create: 0, update: 0, delete: 2, unchanged: 2 } };
    expect(massDeleteGuard(p, 4)).toBeUndefined();
    expect(massDeleteGuard(p, 0)).toBeUndefined();
  });
});

describe("plannedRuns", () => {
  it("lists the next runs of created and rescheduled jobs, none for automatic or kept timing", () => {
    const acme = merchant("acme", { carts: [cart("shop", "acme"), cart("ebay", "acme")] });
    acme.services.orderDelivery = AUTOMATIC;
    acme.services.inventory = every("30m", 1_800_000);
    const after = desiredJobs({ documents: 2, merchants: [acme, merchant("zen"), merchant("new")] });
    const p = plan(after, asActual(many));
    const runs = plannedRuns(p, NOW);
    expect(Object.keys(runs).sort()).toEqual(
      p.changes
        .filter((c) => c.action === "create" || (c.action === "update" && c.rescheduled))
        .map((c) => c.key)
        .sort(),
    );
    expect(runs["acme/orderDelivery"]).toEqual([]);
    // every 30m is a cron in UTC (*/30): the next three half hours after 10:07.
    expect(runs["acme/inventory"]?.map((d) => d.toISOString())).toEqual([
      "2026-03-02T10:30:00.000Z",
      "2026-03-02T11:00:00.000Z",
      "2026-03-02T11:30:00.000Z",
    ]);
    expect(runs["new/inventory"]).toHaveLength(3);
  });
});

describe("the PR comment", () => {
  const few = desiredJobs({ documents: 1, merchants: [merchant("zen")] });
  const p = plan(few, asActual(many));
  const hit = massDeleteGuard(p, many.length);

  it("says which guard apply will hit and how to approve it", () => {
    const md = renderPlanComment(p, {
      revision: "a".repeat(40),
      appliedRevision: "b".repeat(40),
      guards: hit ? [hit] : [],
    });
    expect(md).toContain("`aaaaaaaaaaaa` against the applied revision `bbbbbbbbbbbb`");
    expect(md).toContain(
      `**mass-delete**: deletes ${p.summary.delete} of ${many.length} managed jobs (more than half): apply will refuse without approval`,
    );
    expect(md).toContain("`Schedsync-Allow: mass-delete`");
    expect(md).toContain("`allow-mass-delete`");
  });

  it("lists the next runs of changed jobs in a table, and no guard block when none is hit", () => {
    const md = renderPlanComment(p, {
      revision: "a".repeat(40),
      nextRuns: { "zen/inventory": ["2026-03-02T10:15:00.000Z"], "zen/orderDelivery": [] },
    });
    expect(md).not.toContain("[!CAUTION]");
    expect(md).toContain("| `zen/inventory` | 2026-03-02T10:15Z |");
    expect(md).toContain("| `zen/orderDelivery` | no timer (automatic or disabled) |");
  });
});
