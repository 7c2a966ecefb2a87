// Time and concurrency: DST-correct next runs through Agenda's own code, and concurrent applies.
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda, Job } from "agenda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "../../src/reconcile/engine.js";
import { listHistory, readApplied } from "../../src/reconcile/history.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";

function merchant(id: string, services: string, tz: string): string {
  return `apiVersion: schedsync/v1\nkind: Merchant\nmetadata: { id: ${id} }\nspec:\n  timezone: ${tz}\n  connection: { type: sandbox }\n  services:\n${services}\n`;
}

describe("reconciled jobs and time", () => {
  let t: TestDb;
  let repo: TempRepo;
  beforeAll(async () => {
    t = await testDb("rt");
    repo = await tempRepo();
  });
  afterAll(async () => {
    await t.close();
    await repo.remove();
  });

  it("at 09:00 in America/New_York runs at 09:00 New York time on both sides of a DST change", async () => {
    await repo.commit({
      "schedules/ny.yaml": merchant(
        "ny",
        '    orderDelivery: { at: ["09:00"] }\n    shippingConfirmations: off\n    inventory: off',
        "America/New_York",
      ),
    });
    await reconcile({ db: t.db, repo: repo.dir });
    const doc = await t.db.collection("agendaJobs").findOne({ "data.schedsync.key": "ny/orderDelivery" });
    expect(doc?.repeatTimezone).toBe("America/New_York");
    const fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/New_York",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    expect(fmt.format(doc?.nextRunAt)).toBe("09:00");

    // Agenda's own next-run computation on the stored document, across spring forward and fall back.
    const agenda = new Agenda({ backend: new MongoBackend({ mongo: t.db }) });
    const cases: [string, string][] = [
      ["2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z"], // 09:00 EST → 09:00 EDT
      ["2026-10-31T13:00:00Z", "2026-11-01T14:00:00Z"], // 09:00 EDT → 09:00 EST
    ];
    for (const [last, expected] of cases) {
      const job = new Job(agenda, {
        name: doc?.name,
        data: doc?.data,
        repeatInterval: doc?.repeatInterval,
        repeatTimezone: doc?.repeatTimezone,
        lastRunAt: new Date(last),
      } as never);
      (job as unknown as { computeNextRunAt(): void }).computeNextRunAt(); // Agenda's own code path
      expect(job.attrs.nextRunAt?.toISOString()).toBe(new Date(expected).toISOString());
    }
  });

  it("the history's duration is the whole reconcile, as its result (and log line) says", async () => {
    const own = await testDb("rd");
    const ownRepo = await tempRepo();
    await ownRepo.commit({ "schedules/dur.yaml": merchant("dur", "    orderDelivery: automatic", "UTC") });
    const r = await reconcile({ db: own.db, repo: ownRepo.dir });
    const [entry] = await listHistory(own.db, 1);
    await own.close();
    await ownRepo.remove();
    // The locked part (startedAt → finishedAt) lies inside the whole; the result's own figure was
    // taken a moment after the entry was written.
    expect(entry?.durationMs).toBeGreaterThanOrEqual(
      (entry?.finishedAt.getTime() ?? 0) - (entry?.startedAt.getTime() ?? 0),
    );
    expect(entry?.durationMs).toBeLessThanOrEqual(r.durationMs);
  });

  it("concurrent applies of different revisions end at the newest, never a mix", async () => {
    const services = (every: string) =>
      `    orderDelivery: { every: ${every} }\n    shippingConfirmations: { every: ${every} }\n    inventory: { every: ${every} }`;
    const shas: string[] = [];
    for (const every of ["5m", "10m", "15m", "20m", "30m"]) {
      shas.push(
        await repo.commit({
          "schedules/ny.yaml": null,
          "schedules/a.yaml": merchant("a", services(every), "UTC"),
          "schedules/b.yaml": merchant("b", services(every), "Europe/London"),
        }),
      );
    }
    // Newest first, so the older ones must be recognised as older and skipped.
    const order = [shas[4], shas[1], shas[3], shas[0], shas[2]] as string[];
    const results = await Promise.all(
      order.map((ref) =>
        reconcile({ db: t.db, repo: repo.dir, ref, allowMassDelete: true, lockWaitMs: 60_000 }),
      ),
    );
    expect((await readApplied(t.db))?.revision).toBe(shas[4]);
    const jobs = await t.db.collection("agendaJobs").find({ "data.schedsync.managed": true }).toArray();
    expect(jobs).toHaveLength(6);
    expect(new Set(jobs.map((j) => j.repeatInterval))).toEqual(new Set(["*/30 * * * *"]));
    expect(new Set(jobs.map((j) => j.data.schedsync.revision))).toEqual(new Set([shas[4]]));
    // Which of the racing applies come after the newest depends on who gets the lock first (on a
    // busy machine all older ones may win it before the newest); one that surely comes after:
    const late = await reconcile({ db: t.db, repo: repo.dir, ref: shas[2] as string, allowMassDelete: true });
    results.push(late);
    expect(late.outcome).toBe("skipped");
    expect(results.filter((r) => r.outcome === "skipped").length).toBeGreaterThanOrEqual(1);
    const history = await t.db.collection("schedsync_history").find({}).sort({ startedAt: 1 }).toArray();
    // Applies never interleave: each starts after the previous one finished.
    const locked = history.filter((h) => h.holder);
    for (let i = 1; i < locked.length; i++) {
      expect(locked[i]?.startedAt.getTime()).toBeGreaterThanOrEqual(locked[i - 1]?.finishedAt.getTime());
    }
  });
});
