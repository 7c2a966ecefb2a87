// One lock query at a time, none without room (src/jobs/lock-room.ts): Agenda's poll asks every
// job name at once, so with one free slot each name with a due job locked one and Agenda released
// all but the first. With the wrapper the poll locks one job and releases none.
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agendaHasRoom, serializeLockQueries } from "../../src/jobs/lock-room.js";
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

  async function poll(collection: string, serialize: boolean) {
    const due = new Date(Date.now() - 1_000);
    await t.db.collection(collection).insertMany(
      [...NAMES, ...NAMES].map((name) => ({
        name,
        type: "normal",
        data: {},
        priority: 0,
        nextRunAt: due,
        lockedAt: null,
      })),
    );
    const backend = new MongoBackend({ mongo: t.db, collection });
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
    if (serialize) serializeLockQueries(repo, (name) => agendaHasRoom(agenda, name));
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
});
