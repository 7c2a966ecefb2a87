// The Policy document's rules and the built-in cart-platform limits.
import { describe, expect, it } from "vitest";
import { loadSchedules } from "../../src/config/load.js";
import { PLATFORM_LIMITS, platformMinIntervalMs } from "../../src/config/platform-limits.js";
import { type Policy, policyProblem, shortestGapMs } from "../../src/config/policy.js";
import type { Frequency } from "../../src/schedule/model.js";

const every = (min: number): Frequency => ({ kind: "every", ms: min * 60_000, text: `${min}m` });
const policy = (spec: Policy["spec"]): Policy => ({ spec, ruleAt: (p) => `policy.yaml:${p.length}` });

describe("platform limits", () => {
  it("derive whole-minute minimums from the published rates, with the source of each number", () => {
    const byTag = Object.fromEntries(PLATFORM_LIMITS.map((l) => [l.tag, platformMinIntervalMs(l)]));
    // Shopify REST standard plan: 2 requests/s → 1 s for a run's two calls → the 1m floor.
    // Amazon getOrders: 0.0167 requests/s → 120 s for two calls → 2m.
    expect(byTag).toEqual({ shopify: 60_000, "amazon-sp-api": 120_000 });
    for (const l of PLATFORM_LIMITS)
      expect(l.source).toMatch(/^https:\/\/(shopify\.dev|developer-docs\.amazon\.com)\//);
  });

  it("apply by connection tag, unless the policy replaces or turns them off", () => {
    const use = { service: "orderDownload" as const, freq: every(1), tags: ["amazon-sp-api"] };
    expect(policyProblem(undefined, use)).toMatch(
      /^every 1m runs more often than the built-in limit for connection tag "amazon-sp-api" \(Orders API getOrders: 0\.0167 requests\/s, https:\/\/developer-docs\.amazon\.com\/.*\) allows: at least 2m between runs/,
    );
    expect(policyProblem(undefined, { ...use, service: "shipmentUpload" })).toBe("");
    expect(policyProblem(policy({ platformLimits: false }), use)).toBe("");
    expect(policyProblem(policy({ minInterval: { connectionTags: { "amazon-sp-api": "1m" } } }), use)).toBe(
      "",
    );
    expect(policyProblem(undefined, { ...use, freq: every(2) })).toBe("");
  });
});

describe("policy rules", () => {
  it("the strictest minimum wins and is named with its line", () => {
    const p = policy({ minInterval: { default: "5m", services: { inventory: "30m" } } });
    expect(policyProblem(p, { service: "inventory", freq: every(10), tags: [] })).toMatch(
      /policy rule minInterval\.services\.inventory \(policy\.yaml:3\) allows: at least 30m/,
    );
    expect(policyProblem(p, { service: "orderDownload", freq: every(10), tags: [] })).toBe("");
  });

  it("values from Defaults are held to tag rules only where they are used", () => {
    const p = policy({ allowedForms: ["every"], minInterval: { default: "1h" } });
    const use = { service: "inventory" as const, freq: every(10), tags: [], tagRulesOnly: true };
    expect(policyProblem(p, use)).toBe("");
  });

  it.each([
    [{ kind: "at", times: ["00:05", "23:50"] } as Frequency, 15],
    [{ kind: "at", times: ["12:00"] } as Frequency, 1440],
    [{ kind: "cron", expr: "*/20 6-22 * * *" } as Frequency, 20],
    [{ kind: "cron", expr: "0 0 * * 1,2" } as Frequency, 1440],
    [{ kind: "cron", expr: "0 0 28-31 * *" } as Frequency, 1440],
    [{ kind: "cron", expr: "0 6,7 1 1 *" } as Frequency, 60],
  ])("shortest gap of %j is %d min", (freq, minutes) => {
    expect(shortestGapMs(freq, 0)).toBe(minutes * 60_000);
  });

  it("refuses an unknown service or a bad tag in the policy, at its key", async () => {
    const files = new Map([
      [
        "schedules/p.yaml",
        "apiVersion: schedsync/v1\nkind: Policy\nspec:\n  minInterval:\n    services: { orderDownlaod: 5m }\n    connectionTags: { Shopify: 5m }\n",
      ],
      ["schedules/m.yaml", "apiVersion: schedsync/v1\nkind: Merchant\nmetadata: { id: a }\nspec: {}\n"],
    ]);
    const r = await loadSchedules({ rootDir: "/x", files });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map((e) => `${e.line} ${e.message}`)).toEqual([
        '5 unknown field "orderDownlaod" in minInterval.services; allowed: orderDelivery, shippingConfirmations, inventory, orderDownload, shipmentUpload, inventoryUpload',
        '6 minInterval.connectionTags: "Shopify" is not a valid id: use lowercase letters, digits and dashes (1-63 characters, starting and ending with a letter or digit), e.g. acme or shopify-us',
      ]);
  });
});
