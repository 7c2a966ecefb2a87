// The PR comment rendered from plans the planner really makes (desired jobs → plan()).
import { describe, expect, it } from "vitest";
import { COMMENT_MARKER, renderPlanComment } from "../../src/cli/views/plan-comment.js";
import { actualFromDocument, jobIdHex, newJobDocument } from "../../src/jobs/document.js";
import type { ActualJob } from "../../src/jobs/types.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import { plan } from "../../src/reconcile/plan.js";
import { AUTOMATIC, cart, every, merchant } from "./desired-fixtures.js";

function asActual(jobs: ReturnType<typeof desiredJobs>): ActualJob[] {
  return jobs.flatMap((j) => actualFromDocument({ _id: jobIdHex(j.key), ...newJobDocument(j, "old") }) ?? []);
}

describe("plan comment on real plans", () => {
  const before = desiredJobs({
    documents: 3,
    merchants: [
      merchant("acme", { carts: [cart("shop", "acme"), cart("ebay", "acme")] }),
      merchant("zen", { carts: [] }),
    ],
  });
  const acme = merchant("acme", { carts: [cart("shop", "acme")] });
  acme.services.orderDelivery = AUTOMATIC;
  acme.services.inventory = every("30m", 1_800_000);
  const after = desiredJobs({
    documents: 3,
    merchants: [acme, merchant("zen", { carts: [] }), merchant("new", { carts: [] })],
  });
  const real = plan(after, asActual(before));

  it("summarises and lists every change of the planner's output as a diff", () => {
    const text = renderPlanComment(real, { revision: "a".repeat(40), appliedRevision: "b".repeat(40) });
    expect(text.startsWith(COMMENT_MARKER)).toBe(true);
    const s = real.summary;
    expect(s.create).toBeGreaterThan(0);
    expect(s.delete).toBeGreaterThan(0);
    expect(s.update).toBeGreaterThan(0);
    expect(text.indexOf(String(s.create))).toBeLessThan(text.indexOf("```diff"));
    for (const c of real.changes) {
      const sign = c.action === "create" ? "+" : c.action === "delete" ? "-" : "!";
      expect(text).toContain(`${sign} ${c.key}`);
    }
    expect(text).toContain("- acme/ebay/orderDownload");
    expect(text).toContain("+ new/orderDelivery");
    expect(text).toContain("! acme/inventory");
  });

  it("says when nothing changes", () => {
    const none = plan(after, asActual(after));
    expect(none.changes).toHaveLength(0);
    const text = renderPlanComment(none, { revision: "c".repeat(40) });
    expect(text).not.toContain("```diff");
  });
});
