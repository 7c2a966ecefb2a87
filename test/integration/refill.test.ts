// A freed run slot is filled at once (src/jobs/refill.ts): with Agenda's poll 10 minutes away, a
// worker that may hold 2 jobs locked still runs every due job, of its own name and of the others,
// because each run's end makes Agenda lock the next one. Without the channel Agenda would run the
// 2 it locked at start and wait for the next poll.
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda, type Job } from "agenda";
import { ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOBS_COLLECTION, jobIdHex } from "../../src/jobs/document.js";
import { DueOrder } from "../../src/jobs/due-order.js";
import { RefillChannel } from "../../src/jobs/refill.js";
import { createWorker } from "../../src/runtime/worker.js";
import { insertDueJobs } from "../helpers/agenda-jobs.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { EMPTY_CONNECTORS } from "../helpers/empty-connectors.js";
import { waitFor } from "../helpers/wait-for.js";
import { cart, installJobs, merchant } from "../helpers/worker-jobs.js";

const TEN_MINUTES = 10 * 60_000;

// The timeout only ends a hang; the waits inside are for conditions.
describe("refill on a run's end", { timeout: 300_000 }, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDb("refill");
  });
  afterAll(async () => {
    await t?.close();
  });

  /** One-shot jobs of these names, all due a second ago (data.i: the position), in `collection`. */
  const seedDue = (collection: string, names: string[]) => insertDueJobs(t.db, collection, names);

  /** An Agenda with one slot whose poll is 10 minutes away: only the refill locks jobs between. */
  function refillAgenda(
    collection: string,
    refill: RefillChannel,
    lockLimit: number,
    order?: DueOrder,
    slowFirst?: string,
  ): Agenda {
    const backend = new MongoBackend({ mongo: t.db, collection });
    order?.watch(backend.repository);
    if (slowFirst) {
      // The poll asks every name at once: this name's first lock query answers last, so the other
      // name's job is the one the single lock slot keeps.
      const inner = backend.repository.getNextJobToRun.bind(backend.repository);
      let first = true;
      backend.repository.getNextJobToRun = async (name, ...rest) => {
        if (name === slowFirst && first) {
          first = false;
          await new Promise((r) => setTimeout(r, 500));
        }
        return inner(name, ...rest);
      };
    }
    const agenda = new Agenda({
      backend,
      name: `refill-${collection}`,
      processEvery: TEN_MINUTES,
      maxConcurrency: 1,
      defaultConcurrency: 1,
      lockLimit,
      notificationChannel: refill,
    });
    agenda.on("complete", (job: Job) => refill.runEnded(job));
    return agenda;
  }

  it("locks the next due job when a run ends, of its name and of the others, between polls", async () => {
    const names = [...Array(6).fill("a"), ...Array(3).fill("b")] as string[];
    const coll = await seedDue("refill_jobs", names);
    const ran: string[] = [];
    const agenda = refillAgenda("refill_jobs", new RefillChannel(() => ["a", "b"]), 2);
    for (const name of ["a", "b"])
      agenda.define(name, async (job: Job<{ i: number }>) => {
        ran.push(`${name}${job.attrs.data.i}`);
        await new Promise((r) => setTimeout(r, 10));
      });
    await agenda.start();
    try {
      await waitFor("all 9 due jobs to run", () => ran.length === 9, 60_000);
      expect(new Set(ran).size).toBe(9);
      expect(await coll.countDocuments({ lastFinishedAt: { $exists: true } })).toBe(9);
    } finally {
      await agenda.stop();
    }
  });

  it("fills the `first` names before the ended run's own (a worker's Automatic pushes)", async () => {
    await seedDue("refill_first", ["a", "a", "a", "a", "push"]);
    const ran: string[] = [];
    const agenda = refillAgenda("refill_first", new RefillChannel(() => ["a", "push"], ["push"]), 1);
    for (const name of ["a", "push"])
      agenda.define(name, async () => {
        ran.push(name);
      });
    await agenda.start();
    try {
      await waitFor("all 5 due jobs to run", () => ran.length === 5, 60_000);
      // The first poll locks one job; from the first run's end on, the push comes before more of "a".
      expect(ran.indexOf("push")).toBeLessThanOrEqual(1);
    } finally {
      await agenda.stop();
    }
  });

  it("with a rank, the name furthest behind goes first, not the ended run's own", async () => {
    // "a": 6 jobs due a minute ago; "b": 2 due a moment ago. By name (each ended run's own name
    // first) a worker that first ran a "b" would run the other "b" next; by due time every "a" comes
    // first. The first lock is the poll's race, which "b" is made to win.
    const coll = t.db.collection("refill_rank");
    const now = Date.now();
    const due = (name: string, i: number, ago: number) => ({
      name,
      type: "normal",
      data: { i },
      priority: 0,
      nextRunAt: new Date(now - ago),
      lockedAt: null,
    });
    await coll.insertMany([
      ...[0, 1, 2, 3, 4, 5].map((i) => due("a", i, 60_000 - i * 1_000)),
      due("b", 0, 2_000),
      due("b", 1, 1_000),
    ]);
    const order = new DueOrder();
    const refill = new RefillChannel(
      () => ["a", "b"],
      [],
      (names) => order.sort(names),
    );
    const ran: string[] = [];
    const agenda = refillAgenda("refill_rank", refill, 1, order, "a");
    for (const name of ["a", "b"])
      agenda.define(name, async (job: Job<{ i: number }>) => {
        ran.push(`${name}${job.attrs.data.i}`);
      });
    await agenda.start();
    try {
      await waitFor("all 8 due jobs to run", () => ran.length === 8, 60_000);
      // After the first run: every "a", in due order, then what is left of "b".
      const afterFirst = ran.slice(1);
      const as = afterFirst.filter((r) => r.startsWith("a"));
      expect(afterFirst.slice(0, as.length)).toEqual(as);
      expect(as).toEqual(["a0", "a1", "a2", "a3", "a4", "a5"].filter((r) => r !== ran[0]));
    } finally {
      await agenda.stop();
    }
  });

  it("a worker with concurrency 1 runs every due job of a merchant between two polls", async () => {
    // Each job's next run half an hour away: Agenda locks ahead every job due before its next scan
    // (now + processEvery), so with */5 schedules the runs' next occurrences would take both lock
    // slots and hold them until they fall due, while a due job waits.
    const phase = (Date.now() + 30 * 60_000) % 3_600_000;
    const hourly = { kind: "every", ms: 3_600_000, text: "1h", offset: phase } as const;
    const pulls = { orderDownload: hourly };
    await installJobs(t.db, [
      merchant("m1", [cart("A", "m1", pulls), cart("B", "m1", pulls)], {
        shippingConfirmations: hourly,
        inventory: hourly,
      }),
    ]);
    const keys = ["m1/A/orderDownload", "m1/B/orderDownload", "m1/shippingConfirmations", "m1/inventory"];
    const ids = keys.map((k) => new ObjectId(jobIdHex(k)));
    await t.db
      .collection(JOBS_COLLECTION)
      .updateMany({ _id: { $in: ids } }, { $set: { nextRunAt: new Date(Date.now() - 1_000) } });
    const worker = createWorker(t.db, {
      connectors: EMPTY_CONNECTORS,
      owner: "refill",
      processEvery: TEN_MINUTES,
      concurrency: 1,
    });
    await worker.start();
    try {
      await waitFor(
        "the 4 due jobs to run",
        async () =>
          (await t.db
            .collection(JOBS_COLLECTION)
            .countDocuments({ _id: { $in: ids }, lastFinishedAt: { $exists: true } })) === 4,
        60_000,
      );
    } finally {
      await worker.stop(5_000);
    }
  });
});
