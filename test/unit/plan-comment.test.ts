import { describe, expect, it } from "vitest";
import { COMMENT_MARKER, type CommentPlan, renderPlanComment } from "../../src/cli/views/plan-comment.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const APPLIED = "fedcba9876543210fedcba9876543210fedcba98";

const plan: CommentPlan = {
  summary: { create: 2, update: 1, delete: 1, unchanged: 7 },
  changes: [
    { action: "unchanged", key: "merchant:ACME:inventory" },
    {
      action: "update",
      key: "merchant:ACME:orderDelivery",
      reason: "frequency changed",
      before: { repeatInterval: "*/30 * * * *", timezone: "Europe/Berlin" },
      after: { repeatInterval: "*/15 * * * *", timezone: "Europe/Berlin" },
    },
    {
      action: "delete",
      key: "cart:OLD:orderDownload",
      reason: "cart removed",
      before: { repeatInterval: 3600000 },
    },
    {
      action: "create",
      key: "cart:NEW:orderDownload",
      reason: "new cart",
      after: { repeatInterval: 900000 },
    },
    { action: "create", key: "cart:NEW:inventoryUpload", after: { repeatInterval: "0 9 * * *" } },
  ],
};

function diffBlock(md: string): string[] {
  const m = /```diff\n([\s\S]*?)\n```/.exec(md);
  return m?.[1]?.split("\n") ?? [];
}

describe("renderPlanComment", () => {
  it("puts the marker and summary first, then the changes as a diff", () => {
    const md = renderPlanComment(plan, {
      revision: SHA,
      appliedRevision: APPLIED,
      environment: "production",
    });
    const lines = md.split("\n");
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[1]).toBe("### schedsync plan for **production**");
    expect(md.indexOf("**Plan: 2 to create, 1 to update, 1 to delete** (7 unchanged).")).toBeLessThan(
      md.indexOf("```diff"),
    );
    expect(md).toContain("`0123456789ab` against the applied revision `fedcba987654`");
    const diff = diffBlock(md);
    expect(diff).toEqual([
      "+ cart:NEW:inventoryUpload  (repeatInterval: 0 9 * * *)",
      "+ cart:NEW:orderDownload  (repeatInterval: 900000)  # new cart",
      "! merchant:ACME:orderDelivery  # frequency changed",
      "-     repeatInterval: */30 * * * *",
      "+     repeatInterval: */15 * * * *",
      "- cart:OLD:orderDownload  (repeatInterval: 3600000)  # cart removed",
    ]);
    expect(md).not.toContain("not up to date");
  });

  it("warns when the PR is not up to date with its base", () => {
    const md = renderPlanComment(plan, { revision: SHA, upToDate: false, baseBranch: "main", behindBy: 3 });
    expect(md).toContain("> [!WARNING]");
    expect(md).toContain("This PR is not up to date with `main` (3 commits behind)");
    expect(md.indexOf("WARNING")).toBeLessThan(md.indexOf("```diff"));
  });

  it("says no changes and renders no diff block for an in-sync plan", () => {
    const md = renderPlanComment(
      { summary: { create: 0, update: 0, delete: 0, unchanged: 12 }, changes: [] },
      { revision: SHA },
    );
    expect(md).toContain("**No changes.** 12 jobs already match the schedules.");
    expect(md).not.toContain("```diff");
    expect(md).toContain("applied revision `nothing`");
  });

  it("truncates long plans and embeds the load summary", () => {
    const many: CommentPlan = {
      summary: { create: 1000, update: 0, delete: 0, unchanged: 0 },
      changes: Array.from({ length: 1000 }, (_, i) => ({
        action: "create",
        key: `cart:C${String(i).padStart(4, "0")}:orderDownload`,
      })),
    };
    const md = renderPlanComment(many, {
      revision: SHA,
      maxChanges: 50,
      simulation: "peak: 3000 runs in the 15 minutes from 2026-01-05 08:00 UTC",
    });
    expect(diffBlock(md)).toHaveLength(50);
    expect(md).toContain("... and 950 more changes");
    expect(md).toContain("Load: peak: 3000 runs");
  });
});
