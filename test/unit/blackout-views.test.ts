// What explain, simulate and the plan show of blackout windows (JSON and text).
import { describe, expect, it } from "vitest";
import { explainText, explainView } from "../../src/cli/views/explain.js";
import { planText } from "../../src/cli/views/plan.js";
import { renderPlanComment } from "../../src/cli/views/plan-comment.js";
import { simulateView, svgChart, textChart } from "../../src/cli/views/simulate.js";
import { findTarget } from "../../src/config/explain.js";
import { loadSchedules } from "../../src/config/load.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import { plan } from "../../src/reconcile/plan.js";
import type { ScheduleModel } from "../../src/schedule/model.js";
import { simulate } from "../../src/schedule/simulate.js";

const yaml = (blackout: string) => `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: acme }
spec:
  timezone: UTC
  connection: { type: sandbox }
  services: { orderDelivery: automatic, shippingConfirmations: { every: 30m }, inventory: off }
${blackout}`;
const WINDOW = `  blackout:
    - { from: "01:00", to: "02:00", reason: WMS backup }
`;

async function load(text: string): Promise<ScheduleModel> {
  const r = await loadSchedules({ rootDir: "/r", files: new Map([["schedules/a.yaml", text]]) });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.model;
}

describe("explain", () => {
  it("moves runs due inside a window to its end, once, and lists the windows (JSON)", async () => {
    const model = await load(yaml(WINDOW));
    const target = findTarget(model, "acme");
    if (typeof target === "string") throw new Error(target);
    const from = new Date("2026-03-02T00:45:00Z");
    const json = explainView.json({ ref: "acme", target, from, count: 3 }) as {
      services: Record<string, { next: Date[]; moved: unknown[] }>;
      blackout: { text: string; next: { start: Date; end: Date } | null }[];
    };
    const sc = json.services.shippingConfirmations!;
    expect(sc.next.map((d) => d.toISOString())).toEqual([
      "2026-03-02T02:00:00.000Z",
      "2026-03-02T02:30:00.000Z",
      "2026-03-02T03:00:00.000Z",
    ]);
    expect(sc.moved).toEqual([
      {
        at: new Date("2026-03-02T02:00:00Z"),
        due: new Date("2026-03-02T01:00:00Z"),
        runs: 2,
        window: "daily 01:00-02:00: WMS backup",
      },
    ]);
    expect(json.blackout).toMatchObject([
      {
        kind: "daily",
        text: "daily 01:00-02:00: WMS backup",
        next: { start: new Date("2026-03-02T01:00:00Z") },
      },
    ]);
    const text = explainText(target, from, 3);
    expect(text).toContain("(blackout: moved from Mon 2026-03-02 01:00 UTC, 2 runs as one)");
    expect(text).toContain("records arriving inside a blackout window wait for its end");
    expect(text).toContain("daily 01:00-02:00: WMS backup  [merchant]");
  });
});

describe("simulate", () => {
  it("counts the runs each window moved, per occurrence, and marks it in the chart", async () => {
    const from = new Date("2026-03-02T00:00:00Z");
    const plain = simulate(await load(yaml("")), { days: 1, from });
    const held = simulate(await load(yaml(WINDOW)), { days: 1, from });
    const runs = (s: typeof plain) =>
      (s.counts.get("shippingConfirmations") ?? []).reduce((a, b) => a + b, 0);
    expect(runs(plain)).toBe(47); // 00:30 to 23:30
    // 01:00 and 01:30 do not run; one run at 02:00 (which is also the schedule's own).
    expect(runs(held)).toBe(45);
    expect(plain.blackout).toEqual([]);
    const json = simulateView().json(held) as { blackout: unknown };
    expect(json.blackout).toEqual([
      {
        owner: "acme",
        window: "daily 01:00-02:00: WMS backup",
        reason: "WMS backup",
        occurrences: [{ start: "2026-03-02T01:00:00.000Z", end: "2026-03-02T02:00:00.000Z" }],
        suppressed: 2,
        moved: 1,
      },
    ]);
    expect(textChart(held)).toContain("blackout acme: daily 01:00-02:00: WMS backup: 1 occurrence,");
    expect(svgChart(held)).toContain('class="blackout"');
  });
});

describe("plan", () => {
  it("names the windows a change adds or removes", async () => {
    const before = desiredJobs(await load(yaml("")));
    const after = desiredJobs(await load(yaml(WINDOW)));
    const actual = before.map((j) => ({ id: j.key, key: j.key, storedHash: j.specHash, spec: j }));
    const p = plan(after, actual);
    const keys = p.changes.filter((c) => c.action === "update").map((c) => c.key);
    expect(keys).toEqual(["acme/cleanup", "acme/orderDelivery", "acme/shippingConfirmations"]);
    expect(planText("abc", p)).toContain("blackout: daily 01:00-02:00: WMS backup");
    const comment = renderPlanComment(p, { revision: "abc" });
    expect(comment).toContain("Blackout windows");
    expect(comment).toContain("+ acme: daily 01:00-02:00: WMS backup");
  });
});
