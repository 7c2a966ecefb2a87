// The end of a scheduled run (runtime/reschedule.ts, endScheduledRun): its outcome is recorded on
// its job after Agenda's end-of-run save, by the one findAndModify that also reads the job for the
// reschedule check, so no separate read follows. Health, the "failing" notification and the
// recovery come out as when each run wrote its own outcome.
import { randomBytes } from "node:crypto";
import { type Db, MongoClient, ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectorError, type ConnectorFactory } from "../../src/connectors/index.js";
import { JOBS_COLLECTION, jobIdHex, PATH } from "../../src/jobs/document.js";
import { healthOf } from "../../src/jobs/health.js";
import type { Notice } from "../../src/platform/notify.js";
import { createWorker } from "../../src/runtime/worker.js";
import { storeUri } from "../helpers/db.js";
import { EMPTY_CONNECTORS } from "../helpers/empty-connectors.js";
import { waitFor } from "../helpers/wait-for.js";
import { cart, installJobs, merchant } from "../helpers/worker-jobs.js";

const KEY = "m1/inventory";
/** The comment on this test's own reads, which are not counted. */
const TEST_READ = "run-end test";

describe("the end of a scheduled run", { timeout: 300_000 }, () => {
  let client: MongoClient;
  let db: Db;
  const commands: { name: string; filter: Record<string, unknown>; update?: unknown }[] = [];
  beforeAll(async () => {
    client = new MongoClient(storeUri(), { monitorCommands: true });
    client.on("commandStarted", (e) => {
      if (e.command[e.commandName] !== JOBS_COLLECTION || e.command.comment === TEST_READ) return;
      const c = e.command as Record<string, unknown>;
      const filter = (c.filter ?? c.query ?? {}) as Record<string, unknown>;
      commands.push({ name: e.commandName, filter, update: c.update });
    });
    await client.connect();
    db = client.db(`runend_${randomBytes(4).toString("hex")}`);
    await installJobs(db, [merchant("m1", [cart("A", "m1")])]);
  });
  afterAll(async () => {
    await db?.dropDatabase().catch(() => {});
    await client?.close();
  });

  it("records failures, the failing notice and the recovery in the command that reads the job", async () => {
    let wmsDown = true;
    const connectors: ConnectorFactory = {
      ...EMPTY_CONNECTORS,
      wms: (...args) => {
        const wms = EMPTY_CONNECTORS.wms(...args);
        return {
          ...wms,
          pullInventory: async (...a) => {
            if (wmsDown) throw new ConnectorError("http", "WMS answered 503", { status: 503 });
            return wms.pullInventory(...a);
          },
        };
      },
    };
    const notices: Notice[] = [];
    const worker = createWorker(db, {
      connectors,
      owner: "run-end",
      processEvery: 200,
      notify: (n) => notices.push(n),
    });
    const id = new ObjectId(jobIdHex(KEY));
    const job = db.collection(JOBS_COLLECTION);
    const health = async () => healthOf(await job.findOne({ _id: id }, { comment: TEST_READ }));
    /** Makes the job due and waits until its run's outcome is on it. */
    const runOnce = async (done: (h: ReturnType<typeof healthOf>) => boolean) => {
      await job.updateOne({ _id: id }, { $set: { nextRunAt: new Date() } });
      await waitFor("the run's outcome on its job", async () => done(await health()), 120_000);
    };
    await worker.start();
    try {
      commands.length = 0;
      await runOnce((h) => h.consecutiveFailures === 1);
      await runOnce((h) => h.consecutiveFailures === 2);
      expect((await health()).lastFailureReason).toContain("WMS answered 503");
      await waitFor("the failing notice", () => notices.some((n) => n.kind === "failing"), 120_000);
      wmsDown = false;
      await runOnce((h) => h.consecutiveFailures === 0 && h.lastSuccessAt !== null);
    } finally {
      await worker.stop(5_000);
    }
    expect(notices.filter((n) => n.kind === "failing" && n.key === KEY)).toHaveLength(1);
    // Three runs: three outcome writes by _id, and no read of the job by _id after them.
    const byId = commands.filter((c) => "_id" in c.filter);
    const outcomeWrites = byId.filter(
      (c) => c.name === "findAndModify" && JSON.stringify(c.update).includes(PATH.health),
    );
    expect(outcomeWrites).toHaveLength(3);
    expect(byId.filter((c) => c.name === "find")).toEqual([]);
  });
});
