// End to end: the real CLI on real temp git repos against the real store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "../helpers/cli.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";

function merchant(id: string, services: string, tz = "UTC"): string {
  return `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: ${id} }
spec:
  timezone: ${tz}
  connection: { type: sandbox }
  services:
${services}
`;
}

function cart(id: string, merchantId: string, services: string): string {
  return `apiVersion: schedsync/v1
kind: Cart
metadata: { id: ${id}, merchant: ${merchantId} }
spec:
  connection: { type: sandbox }
  services:
${services}
`;
}

const ACME = merchant(
  "acme",
  '    orderDelivery: automatic\n    shippingConfirmations: { every: 30m }\n    inventory: { cron: "15 */2 * * *" }',
);
const ACME_SHOP = cart(
  "shop",
  "acme",
  '    orderDownload: { every: 10m }\n    shipmentUpload: automatic\n    inventoryUpload: { at: ["06:00", "18:00"] }',
);
const ACME_EBAY = cart(
  "ebay",
  "acme",
  "    orderDownload: { every: 15m }\n    shipmentUpload: off\n    inventoryUpload: off",
);

function json(r: CliResult) {
  if (!r.stdout.trim()) throw new Error(`no stdout (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Each test spawns the CLI or workers from source (tsx): seconds alone, a minute and more on a busy
// 2-core machine. The timeout only ends a hang; the tests wait for conditions.
describe("plan / apply / status / history on real git repos", { timeout: 300_000 }, () => {
  let t: TestDb;
  let repo: TempRepo;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli([...args, "--repo", repo.dir], { env });

  beforeAll(async () => {
    t = await testDb("rc");
    env = { MONGODB_URI: t.dbUri };
    repo = await tempRepo();
  });
  afterAll(async () => {
    await t.close();
    await repo.remove();
  });

  it("first apply creates the right keys; a second plan is empty and a second apply writes nothing", async () => {
    const sha = await repo.commit({
      "schedules/acme.yaml": `${ACME}---\n${ACME_SHOP}---\n${ACME_EBAY}`,
    });
    const plan = await cli("plan", "--json");
    expect(plan.code).toBe(2);
    expect(json(plan).revision).toBe(sha);

    const apply = await cli("apply", "--json");
    expect(apply.code, apply.stderr).toBe(0);
    const applied = json(apply);
    expect(applied.outcome).toBe("applied");
    expect(applied.changes.map((c: { key: string }) => c.key).sort()).toEqual([
      "acme/cleanup",
      "acme/ebay/orderDownload",
      "acme/inventory",
      "acme/orderDelivery",
      "acme/shippingConfirmations",
      "acme/shop/inventoryUpload",
      "acme/shop/orderDownload",
      "acme/shop/shipmentUpload",
    ]);

    const before = await t.db.collection("agendaJobs").find({}).sort({ _id: 1 }).toArray();
    const again = await cli("plan", "--json");
    expect(again.code).toBe(0);
    expect(json(again).summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 8 });
    const second = await cli("apply", "--json");
    expect(second.code).toBe(0);
    expect(json(second).outcome).toBe("in-sync");
    const after = await t.db.collection("agendaJobs").find({}).sort({ _id: 1 }).toArray();
    expect(after).toEqual(before);

    const status = json(await runCli(["status", "--json"], { env }));
    expect(status.revision).toBe(sha);
    const byKey = Object.fromEntries(status.jobs.map((j: { key: string }) => [j.key, j]));
    expect(byKey["acme/orderDelivery"]).toMatchObject({
      frequency: "automatic",
      nextRunAt: null,
      disabled: false,
    });
    expect(byKey["acme/shippingConfirmations"].frequency).toEqual({ every: "30m" });
    expect(byKey["acme/shop/inventoryUpload"].frequency).toEqual({ at: ["06:00", "18:00"] });
    expect(Date.parse(byKey["acme/shippingConfirmations"].nextRunAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("a commit that changes one frequency, removes a cart and adds a merchant yields exactly those changes", async () => {
    // Runtime state that apply must keep on unchanged and rescheduled jobs.
    const lastRunAt = new Date("2026-01-01T00:00:00Z");
    await t.db
      .collection("agendaJobs")
      .updateMany({ "data.schedsync.managed": true }, { $set: { lastRunAt, failCount: 3 } });
    const unchangedBefore = await t.db
      .collection("agendaJobs")
      .findOne({ "data.schedsync.key": "acme/inventory" });
    await repo.commit({
      "schedules/acme.yaml": `${ACME.replace("every: 30m", "every: 20m")}---\n${ACME_SHOP}`,
      "schedules/zen.yaml": merchant(
        "zen",
        "    orderDelivery: { every: 1h }\n    shippingConfirmations: off\n    inventory: off",
        "America/New_York",
      ),
    });
    const res = json(await cli("apply", "--json"));
    const changes = res.changes.map(
      (c: { action: string; key: string; reason: string }) => `${c.action} ${c.key} ${c.reason}`,
    );
    expect(changes.sort()).toEqual([
      "create zen/orderDelivery config changed",
      "delete acme/ebay/orderDownload removed from config",
      "update acme/shippingConfirmations config changed",
    ]);
    const changed = await t.db
      .collection("agendaJobs")
      .findOne({ "data.schedsync.key": "acme/shippingConfirmations" });
    expect(changed?.repeatInterval).toBe("*/20 * * * *");
    expect(changed?.lastRunAt).toEqual(lastRunAt);
    expect(changed?.failCount).toBe(3);
    const unchangedAfter = await t.db
      .collection("agendaJobs")
      .findOne({ "data.schedsync.key": "acme/inventory" });
    expect(unchangedAfter).toEqual(unchangedBefore);
  });

  it("an invalid commit and an empty schedules dir change nothing and exit 1", async () => {
    const before = await t.db.collection("agendaJobs").find({}).sort({ _id: 1 }).toArray();
    await repo.commit({ "schedules/acme.yaml": ACME.replace("every: 30m", "every: 90s") });
    const bad = await cli("apply");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/schedules\/acme\.yaml:\d+:\d+: error: .*90s/);
    expect(bad.stderr).toMatch(/nothing was changed/);

    await repo.commit({ "schedules/acme.yaml": null, "schedules/zen.yaml": null, "README.md": "empty" });
    const empty = await cli("apply");
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no schedules found/);
    const after = await t.db.collection("agendaJobs").find({}).sort({ _id: 1 }).toArray();
    expect(after).toEqual(before);

    const hist = json(await runCli(["history", "--json", "--limit", "3"], { env }));
    expect(hist.map((h: { outcome: string }) => h.outcome)).toEqual(["refused", "refused", "applied"]);
  });

  it("restores a job edited directly in MongoDB (drift)", async () => {
    await repo.commit({
      "schedules/acme.yaml": `${ACME}---\n${ACME_SHOP}`,
      "schedules/zen.yaml": merchant(
        "zen",
        "    orderDelivery: { every: 1h }\n    shippingConfirmations: off\n    inventory: off",
      ),
    });
    expect((await cli("apply")).code).toBe(0);
    await t.db
      .collection("agendaJobs")
      .updateOne(
        { "data.schedsync.key": "zen/orderDelivery" },
        { $set: { repeatInterval: "* * * * *", disabled: true } },
      );
    const plan = json(await cli("plan", "--json"));
    expect(plan.changes).toEqual([
      expect.objectContaining({ action: "update", key: "zen/orderDelivery", reason: "drift" }),
    ]);
    expect((await cli("apply")).code).toBe(0);
    const fixed = await t.db.collection("agendaJobs").findOne({ "data.schedsync.key": "zen/orderDelivery" });
    expect(fixed?.repeatInterval).toBe("0 * * * *");
    expect(fixed?.disabled).toBe(false);
  });

  it("never touches jobs it does not own", async () => {
    await t.db
      .collection("agendaJobs")
      .insertOne({ name: "someone-else", data: { x: 1 }, nextRunAt: new Date() });
    await repo.commit({
      "schedules/zen.yaml": merchant(
        "zen",
        "    orderDelivery: { every: 2h }\n    shippingConfirmations: off\n    inventory: off",
      ),
    });
    expect((await cli("apply")).code).toBe(0);
    expect(await t.db.collection("agendaJobs").countDocuments({ name: "someone-else" })).toBe(1);
  });

  it("refuses to delete more than half of the managed jobs without --allow-mass-delete", async () => {
    await repo.commit({
      "schedules/acme.yaml": ACME.replace(
        "shippingConfirmations: { every: 30m }",
        "shippingConfirmations: off",
      ),
      "schedules/zen.yaml": null,
      "schedules/big.yaml": null,
    });
    const before = await t.db.collection("agendaJobs").countDocuments({ "data.schedsync.managed": true });
    const refused = await cli("apply");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/deletes \d+ of \d+ managed jobs.*--allow-mass-delete/s);
    expect(await t.db.collection("agendaJobs").countDocuments({ "data.schedsync.managed": true })).toBe(
      before,
    );
    const allowed = await cli("apply", "--allow-mass-delete", "--json");
    expect(allowed.code).toBe(0);
    expect(json(allowed).summary.delete).toBeGreaterThan(before / 2);
  });
});
