import { describe, expect, it } from "vitest";
import { actualFromDocument, jobIdHex, newJobDocument } from "../../src/jobs/document.js";
import { canonicalJson, specHash } from "../../src/jobs/spec-hash.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import { plan } from "../../src/reconcile/plan.js";
import { AUTOMATIC, cart, every, merchant } from "./desired-fixtures.js";

const keysOf = (jobs: { key: string }[]) => jobs.map((j) => j.key);

describe("desiredJobs", () => {
  it("makes one job per service that is not off, keyed merchant[/cart]/service, sorted", () => {
    const m = merchant("acme", {
      timezone: "America/New_York",
      services: {
        orderDelivery: AUTOMATIC,
        shippingConfirmations: { kind: "off" },
        inventory: every("30m", 1_800_000),
      },
      carts: [cart("shop1", "acme")],
    });
    const jobs = desiredJobs({ merchants: [m], documents: 1 });
    expect(keysOf(jobs)).toEqual([
      "acme/cleanup",
      "acme/inventory",
      "acme/orderDelivery",
      "acme/shop1/inventoryUpload",
      "acme/shop1/orderDownload",
      "acme/shop1/shipmentUpload",
    ]);
    const byKey = new Map(jobs.map((j) => [j.key, j]));
    const delivery = byKey.get("acme/orderDelivery")!;
    expect(delivery).toMatchObject({
      name: "schedsync:orderDelivery",
      merchantId: "acme",
      cartId: null,
      frequency: "automatic",
      repeatInterval: null,
      repeatTimezone: null,
      managedNextRun: false,
      disabled: false,
      connection: { type: "wms" },
    });
    expect(byKey.get("acme/inventory")).toMatchObject({
      frequency: { every: "30m" },
      repeatInterval: "*/30 * * * *",
      repeatTimezone: "America/New_York",
    });
    expect(byKey.get("acme/shop1/orderDownload")).toMatchObject({
      cartId: "shop1",
      connection: { type: "shopify" },
    });
    expect(byKey.get("acme/cleanup")).toMatchObject({
      name: "schedsync:cleanup",
      service: "cleanup",
      connection: null,
    });
    expect(byKey.get("acme/cleanup")?.schedule).toMatchObject({ kind: "at" });
  });

  it("adds cleanup only with an automatic service and runsPerDay > 0", () => {
    const noAuto = merchant("a");
    const zeroRuns = merchant("b", {
      cleanupRunsPerDay: 0,
      services: { ...merchant("b").services, orderDelivery: AUTOMATIC },
    });
    const cartAuto = merchant("c", {
      carts: [cart("x", "c", { services: { ...cart("x", "c").services, shipmentUpload: AUTOMATIC } })],
    });
    const keys = keysOf(desiredJobs({ merchants: [noAuto, zeroRuns, cartAuto], documents: 1 }));
    expect(keys.filter((k) => k.endsWith("/cleanup"))).toEqual(["c/cleanup"]);
  });

  it("disables every job of a suspended merchant, and a suspended cart's jobs", () => {
    const m = merchant("acme", {
      services: { ...merchant("acme").services, orderDelivery: AUTOMATIC },
      carts: [cart("a", "acme", { suspended: true }), cart("b", "acme")],
    });
    const cartOnly = desiredJobs({ merchants: [m], documents: 1 });
    expect(cartOnly.filter((j) => j.disabled).map((j) => j.key)).toEqual([
      "acme/a/inventoryUpload",
      "acme/a/orderDownload",
      "acme/a/shipmentUpload",
    ]);
    const all = desiredJobs({ merchants: [{ ...m, suspended: true }], documents: 1 });
    expect(all.every((j) => j.disabled)).toBe(true);
    expect(all).toHaveLength(cartOnly.length);
  });

  it("is deterministic, and the hash follows the spec", () => {
    const model = { merchants: [merchant("acme", { carts: [cart("s", "acme")] })], documents: 1 };
    expect(desiredJobs(model)).toEqual(desiredJobs(model));
    const changed = {
      merchants: [merchant("acme", { carts: [cart("s", "acme")], timezone: "Asia/Kolkata" })],
      documents: 1,
    };
    const before = new Map(desiredJobs(model).map((j) => [j.key, j.specHash]));
    for (const job of desiredJobs(changed)) expect(job.specHash).not.toBe(before.get(job.key));
  });
});

describe("specHash", () => {
  it("does not depend on key order", () => {
    const [job] = desiredJobs({ merchants: [merchant("acme")], documents: 1 });
    const { specHash: _, ...spec } = job!;
    const reversed = Object.fromEntries(Object.entries(spec).reverse()) as typeof spec;
    expect(specHash(reversed)).toBe(specHash(spec));
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });
});

describe("job documents", () => {
  const model = {
    merchants: [
      merchant("acme", {
        timezone: "Europe/London",
        services: {
          ...merchant("acme").services,
          orderDelivery: AUTOMATIC,
          inventory: { kind: "at", times: ["18:00", "06:30"] },
        },
        carts: [cart("s", "acme", { suspended: true })],
      }),
    ],
    documents: 1,
  };

  it("read back as the same spec: a plan against them is empty", () => {
    const desired = desiredJobs(model);
    const docs = desired.map((j) => ({
      _id: jobIdHex(j.key),
      ...newJobDocument(j, "a".repeat(40)),
      nextRunAt: new Date(),
    }));
    const actual = docs.map((d) => actualFromDocument(d)!);
    expect(plan(desired, actual).changes).toEqual([]);
  });

  it("ignore runtime fields but show out-of-band edits as drift", () => {
    const desired = desiredJobs(model);
    const docs = desired.map((j) => ({ _id: jobIdHex(j.key), ...newJobDocument(j, "r1") }));
    const runtime = docs.map((d) => ({
      ...d,
      nextRunAt: new Date(),
      lastRunAt: new Date(),
      lockedAt: null,
      failCount: 3,
    }));
    expect(
      plan(
        desired,
        runtime.map((d) => actualFromDocument(d)!),
      ).changes,
    ).toEqual([]);
    const edited = docs.map((d, i) => (i === 1 ? { ...d, repeatInterval: "* * * * *" } : d));
    const changes = plan(
      desired,
      edited.map((d) => actualFromDocument(d)!),
    ).changes;
    expect(changes.map((c) => [c.action, c.key, c.reason])).toEqual([["update", desired[1]!.key, "drift"]]);
  });

  it("are owned only when marked; ids are stable per key", () => {
    expect(actualFromDocument({ _id: "x", name: "email", data: { to: "a" } })).toBeNull();
    expect(
      actualFromDocument({ _id: "x", name: "schedsync:x", data: { schedsync: { key: "k" } } }),
    ).toBeNull();
    expect(jobIdHex("acme/inventory")).toMatch(/^[0-9a-f]{24}$/);
    expect(jobIdHex("acme/inventory")).toBe(jobIdHex("acme/inventory"));
    expect(jobIdHex("acme/inventory")).not.toBe(jobIdHex("acme/orderDelivery"));
  });

  it("keep managed at-times for the worker and store the string-typed numeric interval as ms", () => {
    const job = desiredJobs(model).find((j) => j.key === "acme/inventory")!;
    expect(job).toMatchObject({
      managedNextRun: true,
      repeatInterval: null,
      frequency: { at: ["06:30", "18:00"] },
    });
    const ms = {
      ...newJobDocument({ ...job, repeatInterval: 5_400_000 }, "r"),
      _id: "i",
      repeatInterval: "5400000",
    };
    expect(actualFromDocument(ms)?.spec.repeatInterval).toBe(5_400_000);
  });
});
