// `blackout:` from YAML to the jobs it covers (docs/schedules.md, Blackout windows).
import { describe, expect, it } from "vitest";
import { loadSchedules } from "../../src/config/load.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import type { ScheduleModel } from "../../src/schedule/model.js";

const YAML = `apiVersion: schedsync/v1
kind: Defaults
spec:
  timezone: UTC
  blackout:
    - { start: 2026-11-27T00:00, end: 2026-12-01T00:00, reason: peak-season freeze }
---
apiVersion: schedsync/v1
kind: Merchant
metadata: { id: acme }
spec:
  timezone: Europe/Berlin
  connection: { type: sandbox }
  services: { orderDelivery: automatic, shippingConfirmations: { every: 30m }, inventory: off }
  blackout:
    - { cron: "0 2 * * 0", duration: 120m, reason: WMS maintenance }
    - { from: "23:00", to: "01:00", services: [shippingConfirmations] }
---
apiVersion: schedsync/v1
kind: Cart
metadata: { id: shop, merchant: acme }
spec:
  connection: { type: sandbox }
  services: { orderDownload: { every: 10m }, shipmentUpload: automatic, inventoryUpload: off }
  blackout:
    - { start: 2026-12-24T18:00+01:00, end: 2026-12-25 }
`;

async function model(): Promise<ScheduleModel> {
  const r = await loadSchedules({ rootDir: "/r", files: new Map([["schedules/a.yaml", YAML]]) });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.model;
}

describe("blackout windows in the model and the jobs", () => {
  it("reads the three forms, canonical durations, reasons and services", async () => {
    const m = (await model()).merchants[0]!;
    expect(m.blackout).toEqual([
      {
        kind: "dated",
        start: "2026-11-27T00:00",
        end: "2026-12-01T00:00",
        reason: "peak-season freeze",
        services: null,
        owner: "defaults",
      },
      {
        kind: "cron",
        cron: "0 2 * * 0",
        duration: "2h",
        durationMs: 7_200_000,
        reason: "WMS maintenance",
        services: null,
        owner: "merchant",
      },
      {
        kind: "daily",
        from: "23:00",
        to: "01:00",
        reason: null,
        services: ["shippingConfirmations"],
        owner: "merchant",
      },
    ]);
    expect(m.carts[0]!.blackout?.map((w) => w.owner)).toEqual(["defaults", "cart"]);
  });

  it("Defaults cover every job; a merchant's its services and cleanup; a cart's its own; services narrow", async () => {
    const jobs = new Map(
      desiredJobs(await model()).map((j) => [j.key, j.blackout?.map((w) => w.owner) ?? []]),
    );
    expect(Object.fromEntries(jobs)).toEqual({
      "acme/cleanup": ["defaults", "merchant"],
      "acme/orderDelivery": ["defaults", "merchant"],
      "acme/shippingConfirmations": ["defaults", "merchant", "merchant"],
      "acme/shop/orderDownload": ["defaults", "cart"],
      "acme/shop/shipmentUpload": ["defaults", "cart"],
    });
  });

  it("a model without windows gives jobs without the field (hashes of older jobs hold)", async () => {
    const r = await loadSchedules({
      rootDir: "/r",
      files: new Map([
        [
          "schedules/b.yaml",
          "apiVersion: schedsync/v1\nkind: Merchant\nmetadata: { id: b }\nspec: { connection: { type: sandbox } }\n",
        ],
      ]),
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.model.merchants[0]).not.toHaveProperty("blackout");
    for (const j of desiredJobs(r.model)) expect(j).not.toHaveProperty("blackout");
  });
});
