import { describe, expect, it } from "vitest";
import { specHash } from "../../src/jobs/spec-hash.js";
import type { ActualJob, DesiredJob, Plan } from "../../src/jobs/types.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import { isRescheduled, plan } from "../../src/reconcile/plan.js";
import type { Frequency, MerchantModel } from "../../src/schedule/model.js";
import { AUTOMATIC, cart, every, merchant, rng } from "./desired-fixtures.js";

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const FREQS: Frequency[] = [
  { kind: "off" },
  AUTOMATIC,
  every("5m", 300_000),
  every("1h30m", 5_400_000),
  { kind: "cron", expr: "15 */2 * * *" },
  { kind: "at", times: ["06:00", "18:00"] },
  { kind: "at", times: ["02:30"] },
];
const ZONES = ["UTC", "America/New_York", "Asia/Kolkata"];

function randomMerchant(r: Rand, id: string): MerchantModel {
  const base = merchant(id);
  const services = {
    orderDelivery: pick(r, FREQS),
    shippingConfirmations: pick(r, FREQS),
    inventory: pick(r, FREQS),
  };
  const carts = Array.from({ length: Math.floor(r() * 3) }, (_, i) => {
    const c = cart(`c${i}`, id, { suspended: r() < 0.2 });
    return {
      ...c,
      services: {
        orderDownload: pick(r, FREQS),
        shipmentUpload: pick(r, FREQS),
        inventoryUpload: pick(r, FREQS),
      },
    };
  });
  return {
    ...base,
    timezone: pick(r, ZONES),
    suspended: r() < 0.15,
    cleanupRunsPerDay: pick(r, [0, 2, 3]),
    services: { ...base.services, ...services },
    carts,
  };
}

function randomDesired(r: Rand): DesiredJob[] {
  const ids = ["m1", "m2", "m3", "m4", "m5"].filter(() => r() < 0.7);
  return desiredJobs({ merchants: ids.map((id) => randomMerchant(r, id)), documents: 1 });
}

let nextId = 0;
const newId = () => `id${String(nextId++).padStart(6, "0")}`;

function asActual(job: DesiredJob): ActualJob {
  const { specHash: hash, ...spec } = job;
  return { id: newId(), key: job.key, storedHash: hash, spec };
}

/** A random actual state: an older config, partly drifted, with duplicates and leftovers. */
function randomActual(r: Rand): ActualJob[] {
  const out: ActualJob[] = [];
  for (const job of randomDesired(r)) {
    if (r() < 0.1) continue;
    let actual = asActual(job);
    if (r() < 0.15) actual = { ...actual, spec: { ...actual.spec, disabled: !actual.spec.disabled } };
    if (r() < 0.1) actual = { ...actual, spec: { ...actual.spec, repeatInterval: "* * * * *" } };
    if (r() < 0.1) actual = { ...actual, storedHash: "garbage" };
    out.push(actual);
    if (r() < 0.08) out.push({ ...actual, id: newId() });
  }
  return out.sort(() => r() - 0.5);
}

/** What apply does, on plain objects. */
function applyPlanInMemory(actual: ActualJob[], p: Plan): ActualJob[] {
  const byId = new Map(actual.map((a) => [a.id, a]));
  for (const change of p.changes) {
    if (change.action === "delete") {
      expect(byId.delete(change.id)).toBe(true);
    } else {
      const id = change.action === "update" ? change.id : newId();
      if (change.action === "update") expect(byId.has(id)).toBe(true);
      byId.set(id, asActual(change.job));
      byId.get(id)!.id = id;
    }
  }
  return [...byId.values()];
}

const state = (jobs: ActualJob[]) =>
  jobs
    .map((j) => ({ key: j.key, stored: j.storedHash, hash: specHash(j.spec) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
const desiredState = (jobs: DesiredJob[]) =>
  jobs.map((j) => ({ key: j.key, stored: j.specHash, hash: j.specHash }));

describe("plan (property-style, seeded)", () => {
  it("applying the plan to actual gives desired, and then plans nothing", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed);
      const desired = randomDesired(r);
      const actual = randomActual(r);
      const p = plan(desired, actual);
      const after = applyPlanInMemory(actual, p);
      expect(state(after), `seed ${seed}`).toEqual(desiredState(desired));
      expect(plan(desired, after).changes, `seed ${seed}`).toEqual([]);
      expect(p.summary.create + p.summary.update + p.summary.unchanged).toBe(desired.length);
      expect(p.summary.update + p.summary.delete + p.summary.unchanged).toBe(actual.length);
    }
  });

  it("plans nothing for desired against itself", () => {
    for (let seed = 1; seed <= 100; seed++) {
      const desired = randomDesired(rng(seed));
      const p = plan(desired, desired.map(asActual));
      expect(p.changes).toEqual([]);
      expect(p.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: desired.length });
    }
  });

  it("is deterministic: same result whatever the input order, sorted by key", () => {
    for (let seed = 1; seed <= 100; seed++) {
      const r = rng(seed);
      const desired = randomDesired(r);
      const actual = randomActual(r);
      const p = plan(desired, actual);
      expect(plan([...desired].reverse(), [...actual].reverse())).toEqual(p);
      const keys = p.changes.map((c) => c.key);
      expect(keys).toEqual([...keys].sort());
    }
  });
});

describe("plan reasons", () => {
  const m = merchant("acme", {
    carts: [cart("s", "acme")],
    services: { ...merchant("acme").services, orderDelivery: AUTOMATIC },
  });
  const desired = desiredJobs({ merchants: [m], documents: 1 });
  const find = (jobs: DesiredJob[], key: string) => jobs.find((j) => j.key === key)!;

  it("create, config changed, drift, removed from config, duplicate", () => {
    const changedModel = { ...m, services: { ...m.services, inventory: every("1h", 3_600_000) } };
    const newer = desiredJobs({ merchants: [changedModel], documents: 1 }).filter(
      (j) => j.key !== "acme/s/orderDownload",
    );
    const actual = desired.map(asActual);
    const drifted = actual.find((a) => a.key === "acme/s/inventoryUpload")!;
    drifted.spec = { ...drifted.spec, disabled: true };
    actual.push({ ...asActual(find(desired, "acme/orderDelivery")), id: "zzz" });
    const gone = actual.findIndex((a) => a.key === "acme/cleanup");
    actual.splice(gone, 1);

    const p = plan(newer, actual);
    expect(p.changes.map((c) => [c.action, c.key, c.reason])).toEqual([
      ["create", "acme/cleanup", "config changed"],
      ["update", "acme/inventory", "config changed"],
      ["delete", "acme/orderDelivery", "duplicate"],
      ["update", "acme/s/inventoryUpload", "drift"],
      ["delete", "acme/s/orderDownload", "removed from config"],
    ]);
    expect(p.summary).toEqual({ create: 1, update: 2, delete: 2, unchanged: newer.length - 3 });
    const inventory = p.changes[1]!;
    expect(inventory.before).toEqual({ frequency: { every: "15m" }, timezone: "UTC", disabled: false });
    expect(inventory.after).toEqual({ frequency: { every: "1h" }, timezone: "UTC", disabled: false });
    expect(inventory.action === "update" && inventory.rescheduled).toBe(true);
    const drift = p.changes[3]!;
    expect(drift.action === "update" && drift.rescheduled).toBe(true);
  });

  it("keeps nextRunAt when only the connection changes or a job is suspended", () => {
    const job = find(desired, "acme/inventory");
    expect(isRescheduled(job, { ...job, connection: { type: "other" } })).toBe(false);
    expect(isRescheduled(job, { ...job, disabled: true })).toBe(false);
    expect(isRescheduled({ ...job, disabled: true }, job)).toBe(true);
  });

  it("rejects duplicate desired keys", () => {
    expect(() => plan([desired[0]!, desired[0]!], [])).toThrow(/duplicate desired job key/);
  });
});
