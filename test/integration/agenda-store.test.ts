// Agenda 6 on the project's store (the embedded FerretDB, or MONGODB_URI): the behaviours the
// product relies on. Runs are counted in the database with atomic $inc / inserts, never in memory,
// so two Agenda instances (or processes) are judged by what actually happened.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda, type Job } from "agenda";
import { type Db, MongoClient } from "mongodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type TestDb, testDb } from "../helpers/db.js";

const POLL = 200; // Agenda processEvery (ms): small so the suite is quick, generous deadlines below.

let t: TestDb;
const started: Agenda[] = [];
const extraClients: MongoClient[] = [];
let seq = 0;

beforeAll(async () => {
  t = await testDb("agenda");
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop(false).catch(() => {})));
});
afterAll(async () => {
  await Promise.all(extraClients.map((c) => c.close()));
  await t.close();
});

/** A fresh jobs collection per test so cases never see each other's jobs. */
function collectionName(): string {
  seq += 1;
  return `jobs_${seq}`;
}

function agendaOn(db: Db, collection: string, name = "a", lockLimit?: number): Agenda {
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: db, collection }),
    name,
    processEvery: POLL,
    ...(lockLimit ? { lockLimit } : {}),
  });
  started.push(agenda);
  return agenda;
}

/** Count a run of `key` atomically in the database. */
async function countRun(db: Db, collection: string, key: string): Promise<void> {
  await db
    .collection<{ _id: string; n: number }>(`${collection}_count`)
    .updateOne({ _id: key }, { $inc: { n: 1 } }, { upsert: true });
}

async function runs(db: Db, collection: string, key: string): Promise<number> {
  const doc = await db.collection<{ _id: string; n: number }>(`${collection}_count`).findOne({ _id: key });
  return doc?.n ?? 0;
}

function millis(value: unknown): number {
  if (!(value instanceof Date)) throw new Error(`expected a Date, got ${String(value)}`);
  return value.getTime();
}

/** Polls until `check` is true; fails with `what` after `timeoutMs` (which only ends a hang). */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for: ${what}`);
}

// The timeout only ends a hang (a busy 2-core machine); the tests wait for conditions.
describe("Agenda 6 on the store", { timeout: 300_000 }, () => {
  it("runs a job defined with `every` repeatedly, on its interval", async () => {
    const col = collectionName();
    const agenda = agendaOn(t.db, col);
    agenda.define("tick", async () => countRun(t.db, col, "tick"));
    await agenda.start();
    await agenda.every("1 second", "tick");

    await waitFor("three runs of an every-1s job", async () => (await runs(t.db, col, "tick")) >= 3);
    const doc = await t.db.collection(col).findOne({ name: "tick" });
    expect(doc?.type).toBe("single");
    expect(doc?.repeatInterval).toBe("1 second");
    // The next run is scheduled one interval after the last one started.
    const gap = millis(doc?.nextRunAt) - millis(doc?.lastRunAt);
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThanOrEqual(1_100);
    // `every` again (as a re-apply would) updates the one job instead of adding another.
    await agenda.every("1 second", "tick");
    expect(await t.db.collection(col).countDocuments({ name: "tick" })).toBe(1);
  });

  it("runs a `now` job exactly once", async () => {
    const col = collectionName();
    const agenda = agendaOn(t.db, col);
    agenda.define("once", async () => countRun(t.db, col, "once"));
    await agenda.start();
    await agenda.now("once");

    await waitFor("the now job to run", async () => (await runs(t.db, col, "once")) === 1);
    await waitFor("the job to be marked finished", async () => {
      const doc = await t.db.collection(col).findOne({ name: "once" });
      return !!doc?.lastFinishedAt;
    });
    await sleep(POLL * 8); // several more polling rounds: it must not run again
    expect(await runs(t.db, col, "once")).toBe(1);
    const doc = await t.db.collection(col).findOne({ name: "once" });
    expect(doc?.nextRunAt).toBeNull();
  });

  it("does not duplicate a unique job saved twice", async () => {
    const col = collectionName();
    const agenda = agendaOn(t.db, col);
    agenda.define("sync", async () => {});
    const save = (when: string) =>
      agenda
        .create("sync", { partner: "acme", flow: "orders" })
        .unique({ "data.partner": "acme", "data.flow": "orders" })
        .schedule(when)
        .save();
    const first = await save("in 1 hour");
    const second = await save("in 2 hours");
    expect(String(second.attrs._id)).toBe(String(first.attrs._id));
    expect(await t.db.collection(col).countDocuments({ name: "sync" })).toBe(1);

    // insertOnly keeps the existing job untouched.
    const kept = await agenda
      .create("sync", { partner: "acme", flow: "orders" })
      .unique({ "data.partner": "acme", "data.flow": "orders" }, { insertOnly: true })
      .schedule("in 5 hours")
      .save();
    expect(String(kept.attrs._id)).toBe(String(first.attrs._id));
    expect(kept.attrs.nextRunAt?.getTime()).toBe(second.attrs.nextRunAt?.getTime());
    expect(await t.db.collection(col).countDocuments({ name: "sync" })).toBe(1);
  });

  it("never runs the same job run twice with two Agenda instances on one collection", async () => {
    const col = collectionName();
    const other = await MongoClient.connect(t.uri);
    extraClients.push(other);
    // A few jobs locked per poll, so one instance cannot lock all 30 before the other's first poll.
    const a = agendaOn(t.db, col, "worker-a", 5);
    const b = agendaOn(other.db(t.dbName), col, "worker-b", 5);
    const byWorker: Record<string, number> = { "worker-a": 0, "worker-b": 0 };
    for (const [agenda, db, name] of [
      [a, t.db, "worker-a"],
      [b, other.db(t.dbName), "worker-b"],
    ] as const) {
      agenda.define(
        "deliver",
        async (job: Job<{ n: number }>) => {
          byWorker[name] = (byWorker[name] ?? 0) + 1;
          await countRun(db, col, `deliver-${job.attrs.data.n}`);
          await sleep(50); // hold the lock a little so the other instance really competes
        },
        { concurrency: 3 },
      );
    }
    const total = 30;
    for (let n = 0; n < total; n++) await a.now("deliver", { n });
    await Promise.all([a.start(), b.start()]);

    await waitFor(
      "all jobs to run",
      async () => (await t.db.collection(`${col}_count`).countDocuments()) === total,
    );
    await sleep(POLL * 5);
    const counts = await t.db.collection<{ _id: string; n: number }>(`${col}_count`).find().toArray();
    expect(counts).toHaveLength(total);
    expect(counts.filter((c) => c.n !== 1)).toEqual([]);
    // Both instances took part (otherwise the test proved nothing about locking).
    expect(byWorker["worker-a"]).toBeGreaterThan(0);
    expect(byWorker["worker-b"]).toBeGreaterThan(0);
  });

  it("runs a repeating job once per interval with two instances competing", async () => {
    const col = collectionName();
    const other = await MongoClient.connect(t.uri);
    extraClients.push(other);
    const a = agendaOn(t.db, col, "worker-a");
    const b = agendaOn(other.db(t.dbName), col, "worker-b");
    for (const [agenda, db] of [
      [a, t.db],
      [b, other.db(t.dbName)],
    ] as const) {
      // Key each run by the slot it was scheduled for: two runs of one slot would count 2.
      agenda.define("beat", async (job) => {
        await countRun(db, col, `beat-${job.attrs.lastRunAt?.toISOString()}`);
        await db
          .collection(`${col}_count`)
          .updateOne({ _id: "all" as never }, { $inc: { n: 1 } }, { upsert: true });
      });
    }
    await Promise.all([a.start(), b.start()]);
    await a.every("1 second", "beat");
    await b.every("1 second", "beat"); // both instances declare it, as every worker would

    await waitFor("four beats", async () => (await runs(t.db, col, "all")) >= 4);
    expect(await t.db.collection(col).countDocuments({ name: "beat" })).toBe(1);
    const perSlot = await t.db
      .collection<{ _id: string; n: number }>(`${col}_count`)
      .find({ _id: { $regex: /^beat-/ } })
      .toArray();
    expect(perSlot.filter((c) => c.n !== 1)).toEqual([]);
  });

  it("picks up a job again after lockLifetime when its worker was SIGKILLed", async () => {
    const col = collectionName();
    // Long, so neither the child (its own lock-lifetime check) nor the survivor lets go of the
    // lock while the machine is merely slow; its expiry is then brought about by backdating it.
    const lockLifetime = 10 * 60_000;
    const agenda = agendaOn(t.db, col, "survivor");
    const job = await agenda.now("slow");
    const id = String(job.attrs._id);

    const child = spawnTs(join(here, "fixtures", "agenda-dead-worker.ts"), [
      t.dbUri,
      col,
      String(lockLifetime),
    ]);
    const exited = new Promise((r) => child.once("exit", r));
    try {
      await waitFor("the child worker to start the job", async () => {
        return (await t.db.collection(`${col}_runs`).countDocuments({ pid: child.pid })) === 1;
      });
    } finally {
      child.kill("SIGKILL");
    }
    await exited;
    const locked = await t.db.collection(col).findOne({ name: "slow" });
    expect(locked?.lockedAt).toBeInstanceOf(Date);
    expect(locked?.lastFinishedAt ?? null).toBeNull();

    agenda.define(
      "slow",
      async (j) => {
        await t.db
          .collection(`${col}_runs`)
          .insertOne({ job: String(j.attrs._id), pid: process.pid, at: new Date() });
      },
      { lockLifetime },
    );
    await agenda.start();
    // The dead worker's lock is younger than lockLifetime: several polls leave the job alone.
    await sleep(POLL * 8);
    expect(await t.db.collection(`${col}_runs`).countDocuments({ pid: process.pid })).toBe(0);
    // The lock ages past lockLifetime (backdated, as if the time had passed): the survivor takes over.
    const expiredAt = new Date(Date.now() - lockLifetime - 1_000);
    await t.db.collection(col).updateOne({ name: "slow" }, { $set: { lockedAt: expiredAt } });
    await waitFor(
      "the survivor to run the abandoned job",
      async () => (await t.db.collection(`${col}_runs`).countDocuments({ pid: process.pid })) === 1,
    );
    const all = await t.db.collection(`${col}_runs`).find().sort({ at: 1 }).toArray();
    expect(all.map((r) => r.job)).toEqual([id, id]);
  });

  it("stops running a job once it is disabled, and resumes when enabled", async () => {
    const col = collectionName();
    const agenda = agendaOn(t.db, col);
    agenda.define("pausable", async () => countRun(t.db, col, "pausable"));
    await agenda.start();
    await agenda.every("1 second", "pausable");
    await waitFor("a first run", async () => (await runs(t.db, col, "pausable")) >= 1);

    expect(await agenda.disable({ name: "pausable" })).toBe(1);
    // A run that was already locked before disable() may still finish; wait until none is in flight.
    await waitFor("no run in flight", async () => {
      const doc = await t.db.collection(col).findOne({ name: "pausable" });
      return !doc?.lockedAt;
    });
    const before = await runs(t.db, col, "pausable");
    await sleep(3_500); // three more intervals pass
    expect(await runs(t.db, col, "pausable")).toBe(before);
    expect((await t.db.collection(col).findOne({ name: "pausable" }))?.disabled).toBe(true);

    expect(await agenda.enable({ name: "pausable" })).toBe(1);
    await waitFor("a run after enable", async () => (await runs(t.db, col, "pausable")) > before);
  });

  it("debounces a burst of unique saves into one run with the last data", async () => {
    const col = collectionName();
    const agenda = agendaOn(t.db, col);
    agenda.define("reindex", async (job: Job<{ partner: string; rev: number }>) => {
      await countRun(t.db, col, "reindex");
      await t.db.collection(`${col}_seen`).insertOne({ rev: job.attrs.data.rev });
    });
    await agenda.start();
    // Far longer than the burst takes on a slow store, so no save in it comes due early.
    const debounceMs = 30_000;
    let lastSave = 0;
    for (let rev = 1; rev <= 5; rev++) {
      lastSave = Date.now();
      await agenda.nowDebounced("reindex", { partner: "acme", rev }, { "data.partner": "acme" }, debounceMs);
    }
    expect(await t.db.collection(col).countDocuments({ name: "reindex" })).toBe(1);
    // Each save pushed the run back: due a debounce after the last save, with its data.
    const pending = await t.db.collection(col).findOne({ name: "reindex" });
    expect(millis(pending?.nextRunAt)).toBeGreaterThanOrEqual(lastSave + debounceMs);
    expect(pending?.data).toMatchObject({ rev: 5 });
    expect(await runs(t.db, col, "reindex")).toBe(0);
    // Its time comes (brought forward instead of waited for): one run, with the last data.
    await t.db.collection(col).updateOne({ name: "reindex" }, { $set: { nextRunAt: new Date() } });
    await waitFor("the debounced run", async () => (await runs(t.db, col, "reindex")) === 1);
    await sleep(1_500);
    expect(await runs(t.db, col, "reindex")).toBe(1);
    expect((await t.db.collection(`${col}_seen`).find().toArray()).map((d) => d.rev)).toEqual([5]);
  });

  it("debounce with maxWait runs while saves keep coming", async () => {
    const col = collectionName();
    const agenda = agendaOn(t.db, col);
    agenda.define("flush", async () => countRun(t.db, col, "flush"));
    await agenda.start();
    // A save every 300 ms keeps pushing a 1 s debounce back; maxWait 2 s must force a run anyway.
    const stopAt = Date.now() + 120_000; // only ends a hang: a loaded machine picks the forced run up late
    while (Date.now() < stopAt && (await runs(t.db, col, "flush")) === 0) {
      await agenda
        .create("flush", { partner: "acme" })
        .unique({ "data.partner": "acme" })
        .debounce(1_000, { maxWait: 2_000 })
        .save();
      await sleep(300);
    }
    expect(await runs(t.db, col, "flush")).toBeGreaterThanOrEqual(1);
    expect(await t.db.collection(col).countDocuments({ name: "flush" })).toBe(1);
  });
});

const here = dirname(fileURLToPath(import.meta.url));

/** Runs a TypeScript file in a child Node process with the tsx loader (as the CLI's supervisor does). */
function spawnTs(file: string, args: string[]) {
  const tsx = join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "loader.mjs");
  return spawn(process.execPath, ["--import", pathToFileURL(tsx).href, file, ...args], {
    stdio: ["ignore", "inherit", "inherit"],
  });
}
