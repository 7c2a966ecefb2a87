// The lock window (src/jobs/lock-window.ts) locks the same jobs in the same order as Agenda's own
// lock query: earliest due first, higher priority first among equals, stale locks and jobs without
// nextRunAt included, disabled and future jobs left; each lock query it sends sees only the jobs due
// by the earliest listed time.
import { MongoBackend } from "@agendajs/mongo-backend";
import type { Db } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { windowLockQueries } from "../../src/jobs/lock-window.js";
import { type TestDb, testDb } from "../helpers/db.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const at = (s: number) => new Date(NOW.getTime() + s * 1_000);
const LOCK_DEADLINE = at(-600);

const JOBS = [
  { tag: "later-low", nextRunAt: at(-1), priority: 0 },
  { tag: "early-low", nextRunAt: at(-3), priority: 0 },
  { tag: "early-high", nextRunAt: at(-3), priority: 10 },
  { tag: "earliest", nextRunAt: at(-50), priority: -5 },
  { tag: "stale-lock", nextRunAt: at(-2), priority: 0, lockedAt: at(-3_600) },
  { tag: "stale-no-next", nextRunAt: null, priority: 0, lockedAt: at(-3_600) },
  { tag: "locked-now", nextRunAt: at(-4), priority: 0, lockedAt: at(-5) },
  { tag: "future", nextRunAt: at(30), priority: 0 },
  { tag: "disabled", nextRunAt: at(-10), priority: 0, disabled: true },
  ...Array.from({ length: 7 }, (_, i) => ({ tag: `wave-${i}`, nextRunAt: at(-2), priority: i % 3 })),
];

async function lockAll(db: Db, windowSize?: number): Promise<string[]> {
  await db
    .collection("agendaJobs")
    .insertMany(JOBS.map((j) => ({ name: "w", type: "normal", data: { tag: j.tag }, lockedAt: null, ...j })));
  const backend = new MongoBackend({ mongo: db, collection: "agendaJobs" });
  await backend.connect();
  const scans: Date[] = [];
  const repo = backend.repository;
  const original = repo.getNextJobToRun.bind(repo);
  repo.getNextJobToRun = (name, nextScanAt, lockDeadline, now, options) => {
    scans.push(nextScanAt);
    return original(name, nextScanAt, lockDeadline, now, options);
  };
  if (windowSize) windowLockQueries(repo, db, "agendaJobs", { size: windowSize, roundMs: 60_000 });
  const order: string[] = [];
  for (;;) {
    const job = await repo.getNextJobToRun("w", NOW, LOCK_DEADLINE, NOW, {});
    if (!job) break;
    order.push(String((job.data as { tag: string }).tag));
  }
  if (windowSize) expect(scans.slice(0, -1).every((s) => s < NOW)).toBe(true);
  return order;
}

describe("lock window", () => {
  let plain: TestDb;
  let windowed: TestDb;
  let small: TestDb;
  let plain2: TestDb;
  beforeAll(async () => {
    plain = await testDb("lockw_a");
    windowed = await testDb("lockw_b");
    small = await testDb("lockw_c");
    plain2 = await testDb("lockw_d");
  });
  afterAll(async () => Promise.all([plain, windowed, small, plain2].map((t) => t?.close())));

  it("locks what Agenda's own lock query locks, in the same order", async () => {
    const expected = await lockAll(plain.db);
    expect(expected).toHaveLength(13); // all but locked-now, future and disabled
    expect(expected.slice(0, 2)).toEqual(["stale-no-next", "earliest"]);
    expect(await lockAll(windowed.db, 20)).toEqual(expected);
  });

  it("refills its list when a full read leaves more due jobs behind", async () => {
    expect(await lockAll(small.db, 3)).toEqual(await lockAll(plain2.db));
  });
});
