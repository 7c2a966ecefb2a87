import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquire, LockBusyError, tryAcquire } from "../../src/platform/lease.js";
import { type TestDb, testDb } from "../helpers/db.js";

describe("reconcile lease lock", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb();
  });
  afterAll(async () => t.close());

  it("admits one holder at a time and frees on release", async () => {
    const a = await tryAcquire(t.db, "l1", 10_000);
    expect(a).toBeDefined();
    expect(await tryAcquire(t.db, "l1", 10_000)).toBeUndefined();
    await a?.release();
    const b = await tryAcquire(t.db, "l1", 10_000);
    expect(b).toBeDefined();
    await b?.release();
  });

  it("lets a new holder take an expired lease and makes the old one fail to renew", async () => {
    const crashed = await tryAcquire(t.db, "l2", 200);
    await new Promise((r) => setTimeout(r, 300));
    const next = await tryAcquire(t.db, "l2", 10_000);
    expect(next).toBeDefined();
    await expect(crashed?.renew()).rejects.toThrow(/lost/);
    await next?.release();
  });

  it("exactly one of many concurrent acquirers wins", async () => {
    const leases = await Promise.all(Array.from({ length: 8 }, () => tryAcquire(t.db, "l3", 10_000)));
    expect(leases.filter(Boolean)).toHaveLength(1);
  });

  it("names the holder when waiting times out", async () => {
    const held = await tryAcquire(t.db, "l4", 10_000);
    await expect(acquire(t.db, "l4", { leaseMs: 1000, waitMs: 200 })).rejects.toBeInstanceOf(LockBusyError);
    await held?.release();
  });
});
