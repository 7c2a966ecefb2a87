// One lock query at a time, none without room (src/jobs/lock-room.ts): Agenda's poll asks every
// job name at once, so with one free slot each name with a due job locked one and Agenda released
// all but the first. With the wrapper the poll locks one job and releases none, and a poll round
// that goes on after Agenda's stop() leaves no job locked.
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agendaLockGate, serializeLockQueries } from "../../src/jobs/lock-room.js";
import { insertDueJobs } from "../helpers/agenda-jobs.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { waitFor } from "../helpers/wait-for.js";

const NAMES = ["a", "b", "c", "d"];

describe("lock queries one at a time", { timeout: 300_000 }, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("lock_room");
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A MongoBackend on `collection`, holding one due, unlocked job per entry of `names`. */
  async function dueJobs(collection: string, names: string[]) {
    await insertDueJobs(t.db, collection, names);
    return new MongoBackend({ mongo: t.db, collection });
  }

  async function poll(collection: string, serialize: boolean) {
    const backend = await dueJobs(collection, [...NAMES, ...NAMES]);
    const repo = backend.repository;
    // Pass-through counters on the real repository: queries in flight at once, and releases.
    let inFlight = 0;
    let maxInFlight = 0;
    const query = repo.getNextJobToRun.bind(repo);
    repo.getNextJobToRun = async (...args) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await query(...args);
      } finally {
        inFlight -= 1;
      }
    };
    let unlocks = 0;
    const unlock = repo.unlockJob.bind(repo);
    repo.unlockJob = (job) => {
      unlocks += 1;
      return unlock(job);
    };
    // One slot, and the next poll 10 minutes away: only the first poll locks.
    const agenda = new Agenda({
      backend,
      name: `lock-room-${collection}`,
      processEvery: 600_000,
      maxConcurrency: 1,
      defaultConcurrency: 1,
      lockLimit: 1,
    });
    let calls = 0;
    let settled = 0;
    if (serialize) serializeLockQueries(repo, agendaLockGate(agenda));
    const asked = repo.getNextJobToRun.bind(repo);
    repo.getNextJobToRun = (...args) => {
      calls += 1;
      return asked(...args).finally(() => {
        settled += 1;
      });
    };
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let running = 0;
    for (const name of NAMES)
      agenda.define(name, async () => {
        running += 1;
        await held;
      });
    await agenda.start();
    try {
      await waitFor("a job running and every lock query of the poll answered", () => {
        return running === 1 && calls >= NAMES.length && settled === calls;
      });
      // Agenda releases a job it cannot keep right after its query answers.
      await new Promise((r) => setImmediate(r));
      return { unlocks, maxInFlight, running };
    } finally {
      release();
      await agenda.stop();
    }
  }

  it("with one free slot, locks one job and releases none", async () => {
    const r = await poll("lock_room_serial", true);
    expect(r).toEqual({ unlocks: 0, maxInFlight: 1, running: 1 });
  });

  it("Agenda alone locks one per name and releases the others (what the wrapper avoids)", async () => {
    const r = await poll("lock_room_agenda", false);
    expect(r.unlocks).toBe(NAMES.length - 1);
    expect(r.maxInFlight).toBeGreaterThan(1);
  });
  it("leaves no job locked by a lock query that was in flight when Agenda stopped", async () => {
    const collection = "lock_room_stop";
    const backend = await dueJobs(collection, NAMES);
    const repo = backend.repository;
    // The real lock query, held until the test lets it go: it locks a job after stop() has begun.
    let queries = 0;
    let letGo: () => void = () => {};
    const held = new Promise<void>((r) => {
      letGo = r;
    });
    const query = repo.getNextJobToRun.bind(repo);
    repo.getNextJobToRun = async (...args) => {
      queries += 1;
      await held;
      return query(...args);
    };
    const agenda = new Agenda({ backend, name: "lock-room-stop", processEvery: 600_000, lockLimit: 10 });
    const lockQueries = serializeLockQueries(repo, agendaLockGate(agenda));
    let ran = 0;
    for (const name of NAMES)
      agenda.define(name, async () => {
        ran += 1;
      });
    await agenda.start();
    await waitFor("the poll's first lock query in flight", () => queries === 1);
    await agenda.stop();
    letGo();
    await lockQueries.idle();
    const locked = await t.db.collection(collection).countDocuments({ lockedAt: { $ne: null } });
    // The query in flight ran and its job was released; the queued ones never queried.
    expect({ queries, locked, ran }).toEqual({ queries: 1, locked: 0, ran: 0 });
  });
});
