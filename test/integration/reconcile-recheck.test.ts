// The no-op fast path: an applied, recently compared revision is neither loaded nor compared
// again; anything that could make that unsafe (another revision, dir, an interrupted apply)
// brings back the full comparison.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "../../src/reconcile/engine.js";
import { markUnchecked, readApplied } from "../../src/reconcile/history.js";
import { engineReconcile } from "../../src/server/engine-adapter.js";
import { runCli } from "../helpers/cli.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";

const merchant = (id: string, every: string) =>
  `apiVersion: schedsync/v1\nkind: Merchant\nmetadata: { id: ${id} }\nspec:\n  timezone: UTC\n  connection: { type: sandbox }\n  services:\n    orderDelivery: { every: ${every} }\n    shippingConfirmations: off\n    inventory: off\n`;

// The last test runs CLI children from source (tsx); the timeout only ends a hang.
describe("reconcile --recheck-after", { timeout: 300_000 }, () => {
  let t: TestDb;
  let repo: TempRepo;
  const jobs = () => t.db.collection("agendaJobs");
  const editOutOfBand = () =>
    jobs().updateOne(
      { "data.schedsync.key": "a/orderDelivery" },
      { $set: { repeatInterval: "*/59 * * * *" } },
    );
  const interval = async () =>
    (await jobs().findOne({ "data.schedsync.key": "a/orderDelivery" }))?.repeatInterval as string;

  beforeAll(async () => {
    t = await testDb("recheck");
    repo = await tempRepo();
    await repo.commit({ "schedules/a.yaml": merchant("a", "15m"), "schedules/b.yaml": merchant("b", "30m") });
  });
  afterAll(async () => {
    await t?.close();
    await repo?.remove();
  });

  it("skips loading and comparing an applied revision compared within the window", async () => {
    const first = await reconcile({ db: t.db, repo: repo.dir });
    expect(first).toMatchObject({ outcome: "applied", compared: true });
    const good = await interval();
    const history = await t.db.collection("schedsync_history").countDocuments();

    await editOutOfBand();
    const fast = await reconcile({ db: t.db, repo: repo.dir, recheckAfterMs: 60_000 });
    expect(fast).toMatchObject({ outcome: "in-sync", compared: false });
    expect(fast.plan.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 2 });
    expect(fast.checkedAt).toEqual((await readApplied(t.db))?.checkedAt);
    expect(await t.db.collection("schedsync_history").countDocuments()).toBe(history); // nothing written
    expect(await interval()).not.toBe(good); // the drift waits for the next comparison…

    const full = await reconcile({ db: t.db, repo: repo.dir, recheckAfterMs: 1 });
    expect(full).toMatchObject({ outcome: "applied", compared: true }); // …which finds and restores it
    expect(full.plan.changes.map((c) => c.reason)).toEqual(["drift"]);
    expect(await interval()).toBe(good);
  });

  it("compares in full for a new revision, another dir, or after an interrupted apply", async () => {
    await reconcile({ db: t.db, repo: repo.dir });
    await repo.commit({ "schedules/a.yaml": merchant("a", "20m") });
    const next = await reconcile({ db: t.db, repo: repo.dir, recheckAfterMs: 60_000 });
    expect(next).toMatchObject({ outcome: "applied", compared: true });
    expect(next.plan.summary.update).toBe(1);

    await markUnchecked(t.db); // what an apply does before its first write
    expect(await reconcile({ db: t.db, repo: repo.dir, recheckAfterMs: 60_000 })).toMatchObject({
      compared: true,
    });
    await expect(
      reconcile({ db: t.db, repo: repo.dir, dir: "elsewhere", recheckAfterMs: 60_000 }),
    ).rejects.toThrow(/is invalid/); // read in full: no schedules there
  });

  it("serve compares at start-up and then only when the window has passed", async () => {
    await reconcile({ db: t.db, repo: repo.dir });
    const fn = engineReconcile({ db: t.db }, { repo: repo.dir }, undefined, 60_000);
    expect(await fn("poll")).toMatchObject({ outcome: "unchanged" });
    await editOutOfBand();
    expect(await fn("startup")).toMatchObject({ outcome: "applied" });
  });

  it("apply --recheck-after takes a duration or 0, and refuses anything else", async () => {
    const ok = await runCli(["apply", "--repo", repo.dir, "--recheck-after", "15m", "--json"], {
      env: { MONGODB_URI: t.dbUri },
    });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ outcome: "in-sync", compared: false });
    const bad = await runCli(["apply", "--repo", repo.dir, "--recheck-after", "soon"], {
      env: { MONGODB_URI: t.dbUri },
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--recheck-after: bad interval "soon"/);
  });
});
