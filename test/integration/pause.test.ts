// Pause, suspend and hand-edit drift end to end: the real CLI on real git repos against the real
// store, a real worker for auto-resume, and the status page over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorFactory } from "../../src/connectors/index.js";
import { silentLogger } from "../../src/platform/log.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { createWorker, type Worker } from "../../src/runtime/worker.js";
import { type RunningServer, startServer } from "../../src/server/app.js";
import { type CliResult, runCli } from "../helpers/cli.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";
import { waitFor } from "../helpers/wait-for.js";

function merchant(id: string, extra = "", inventory = '{ cron: "0 3 * * *" }'): string {
  return `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: ${id} }
spec:
  timezone: UTC
${extra}  services:
    orderDelivery: { every: 30m }
    shippingConfirmations: { cron: "0 4 * * *" }
    inventory: ${inventory}
  connection: { type: sandbox }
`;
}

function cart(id: string, merchantId: string, extra = ""): string {
  return `apiVersion: schedsync/v1
kind: Cart
metadata: { id: ${id}, merchant: ${merchantId} }
spec:
${extra}  services:
    orderDownload: { cron: "0 5 * * *" }
    shipmentUpload: off
    inventoryUpload: off
  connection: { type: sandbox }
`;
}

function json(r: CliResult) {
  if (!r.stdout.trim()) throw new Error(`no stdout (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Each test runs up to nine CLI children from source (tsx): a minute and more on a busy 2-core
// machine. The timeout only ends a hang; the tests wait for conditions.
describe("pause, suspend and hand edits", { timeout: 600_000 }, () => {
  let t: TestDb;
  let repo: TempRepo;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli([...args, "--repo", repo.dir], { env });
  const store = (...args: string[]) => runCli(args, { env });
  const job = (key: string) => t.db.collection("agendaJobs").findOne({ "data.schedsync.key": key });
  /** Runs a worker whose resume sweep runs every 200 ms until the key's job is enabled again. */
  const sweepUntilEnabled = async (key: string, what: string) => {
    const w: Worker = createWorker(t.db, {
      connectors: createConnectorFactory(),
      resumeSweepMs: 200,
      processEvery: 60_000,
    });
    await w.start();
    try {
      await waitFor(what, async () => (await job(key))?.disabled === false, 120_000);
    } finally {
      await w.stop(1_000);
    }
  };

  beforeAll(async () => {
    t = await testDb("pause");
    env = { MONGODB_URI: t.dbUri, GITHUB_ACTOR: "" };
    repo = await tempRepo();
  });
  afterAll(async () => {
    await t.close();
    await repo.remove();
  });

  it("a YAML suspension with until disables the jobs, is shown everywhere, and a worker resumes them", async () => {
    // An hour ahead, so it cannot pass while plan and apply run; it is moved to the past below.
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const acme = (u: string) =>
      `${merchant("acme")}---\n${cart("web", "acme", `  suspended: { reason: "cart API migration", until: "${u}" }\n`)}`;
    await repo.commit({
      "schedules/acme.yaml": acme(until),
      "schedules/beta.yaml": merchant(
        "beta",
        '  suspended: { reason: "carrier outage", services: [inventory] }\n',
      ),
    });
    const plan = json(await cli("plan", "--json"));
    const web = plan.changes.find((c: { key: string }) => c.key === "acme/web/orderDownload");
    expect(web.after).toMatchObject({
      disabled: true,
      suspended: { reason: "cart API migration", scope: "cart" },
    });
    expect((await cli("apply")).code).toBe(0);

    const doc = await job("acme/web/orderDownload");
    expect(doc?.disabled).toBe(true);
    expect(doc?.data.schedsync.spec.suspended).toEqual({
      reason: "cart API migration",
      until,
      scope: "cart",
    });
    expect((await job("beta/inventory"))?.disabled).toBe(true);
    expect((await job("beta/orderDelivery"))?.disabled).toBe(false);

    const status = json(await store("status", "--json"));
    const byKey = Object.fromEntries(status.jobs.map((j: { key: string }) => [j.key, j]));
    expect(byKey["beta/inventory"].suspended).toEqual({
      reason: "carrier outage",
      until: null,
      scope: "service",
    });
    expect((await store("status")).stdout).toContain(
      `suspended in YAML (cart) until ${until}: cart API migration`,
    );
    const explain = await runCli(["explain", "beta"], { env, cwd: repo.dir });
    expect(explain.stdout).toContain("inventory: ");
    expect(explain.stdout).toContain(
      "suspended in YAML (service): carrier outage: the job exists but is disabled",
    );

    // `until` passes (moved to a moment ago, in the store as in the YAML; a commit, not a reconcile).
    const passed = new Date(Date.now() - 1_000).toISOString();
    const moved = await t.db
      .collection("agendaJobs")
      .updateOne(
        { "data.schedsync.key": "acme/web/orderDownload" },
        { $set: { "data.schedsync.spec.suspended.until": passed } },
      );
    expect(moved.modifiedCount).toBe(1);
    await repo.commit({ "schedules/acme.yaml": acme(passed) });
    // No reconcile comes: the worker's sweep re-enables the job when `until` passes.
    await sweepUntilEnabled("acme/web/orderDownload", "the worker resumes acme/web/orderDownload");
    const resumed = await job("acme/web/orderDownload");
    expect(resumed?.nextRunAt).toBeInstanceOf(Date);
    expect(Number(resumed?.nextRunAt)).toBeGreaterThan(Date.parse(passed));
    // Written as the YAML without the expired block would be: the next plan has nothing to do.
    const after = json(await cli("plan", "--json"));
    expect(after.summary).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(json(await store("status", "--json")).drifted).toBe(0);
  });

  it("pause validates its input and writes nothing on an error", async () => {
    const unknown = await store("pause", "nope", "--reason", "x");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no managed jobs under "nope" (merchants with jobs: acme, beta)');
    const bad = await store("pause", "Acme!", "--reason", "x");
    expect(bad.code).toBe(1);
    expect((await store("pause", "acme")).code).not.toBe(0); // --reason is required
    expect((await store("resume", "acme")).stderr).toContain('no pause on "acme"');
    expect(await t.db.collection("schedsync_pauses").countDocuments()).toBe(0);
    expect(
      await t.db.collection("agendaJobs").countDocuments({ "data.schedsync.pause": { $type: "object" } }),
    ).toBe(0);
    const help = await store("pause", "--help");
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain('schedsync pause acme --reason "WMS down, INC-123"');
  });

  it("an emergency pause is honoured by plan and apply, shown with who, why and since when, and resumed", async () => {
    const p = json(await store("pause", "acme", "--reason", "WMS down, INC-7", "--by", "alice", "--json"));
    expect(p.pause).toMatchObject({ target: "acme", by: "alice", reason: "WMS down, INC-7", until: null });
    expect(p.keys).toEqual([
      "acme/inventory",
      "acme/orderDelivery",
      "acme/shippingConfirmations",
      "acme/web/orderDownload",
    ]);
    const paused = await job("acme/orderDelivery");
    expect(paused?.disabled).toBe(true);
    expect(paused?.data.schedsync.pause).toMatchObject({
      by: "alice",
      since: p.pause.since,
      disabledBefore: false,
    });
    expect((await store("pause", "acme", "--reason", "again")).stderr).toContain("already paused by alice");

    // git changes acme's orderDelivery; the pause holds it back.
    await repo.commit({
      "schedules/acme.yaml": `${merchant("acme").replace("every: 30m", "every: 1h")}---\n${cart("web", "acme")}`,
    });
    const plan = await cli("plan");
    expect(plan.stdout).toContain(
      `= acme/orderDelivery  paused (by alice since ${p.pause.since}: WMS down, INC-7); holds back: update`,
    );
    const planJson = json(await cli("plan", "--json"));
    expect(planJson.changes.filter((c: { key: string }) => c.key.startsWith("acme/"))).toEqual([]);
    expect(planJson.paused.map((x: { key: string }) => x.key)).toContain("acme/orderDelivery");
    const apply = await cli("apply");
    expect(apply.code, apply.stderr).toBe(0);
    const held = await job("acme/orderDelivery");
    expect(held?.disabled).toBe(true);
    expect(held?.repeatInterval).toBe(paused?.repeatInterval);

    const status = await store("status", "--merchant", "acme");
    expect(status.stdout).toContain(`paused (by alice since ${p.pause.since}: WMS down, INC-7)`);
    expect(json(await store("status", "--json")).pauses).toEqual([p.pause]);

    const r = json(await store("resume", "acme", "--json"));
    expect(r.keys).toHaveLength(4);
    expect((await job("acme/orderDelivery"))?.disabled).toBe(false);
    // The held change is applied by the next apply.
    const next = json(await cli("apply", "--json"));
    expect(next.changes.map((c: { key: string }) => c.key)).toEqual(["acme/orderDelivery"]);
    expect((await job("acme/orderDelivery"))?.repeatInterval).not.toBe(paused?.repeatInterval);
  });

  it("a pause with --until ends by itself in a worker", async () => {
    const p = json(await store("pause", "acme/web", "--reason", "rate limited", "--until", "1h", "--json"));
    expect(p.keys).toEqual(["acme/web/orderDownload"]);
    expect((await job("acme/web/orderDownload"))?.disabled).toBe(true);
    // `until` passes (moved to a moment ago rather than waited for).
    const moved = await t.db
      .collection("schedsync_pauses")
      .updateOne(
        { _id: "acme/web" as never },
        { $set: { until: new Date(Date.now() - 1_000).toISOString() } },
      );
    expect(moved.modifiedCount).toBe(1);
    await sweepUntilEnabled("acme/web/orderDownload", "the pause ends at --until");
    expect(await t.db.collection("schedsync_pauses").countDocuments()).toBe(0);
  });

  it("a hand edit is drift with its fields in status, plan and the status page, and apply reverts it", async () => {
    await t.db
      .collection("agendaJobs")
      .updateOne(
        { "data.schedsync.key": "beta/orderDelivery" },
        { $set: { disabled: true, repeatInterval: "2 hours" } },
      );
    const status = json(await store("status", "--json"));
    expect(status.drifted).toBe(1);
    const edited = status.jobs.find((j: { key: string }) => j.key === "beta/orderDelivery");
    expect(edited.drift).toEqual([
      { field: "disabled", before: false, after: true },
      { field: "repeatInterval", before: "*/30 * * * *", after: "2 hours" },
    ]);
    expect((await store("status")).stdout).toContain(
      "drift (edited by hand: disabled: false → true, repeatInterval: */30 * * * * → 2 hours)",
    );
    const plan = json(await cli("plan", "--json"));
    const change = plan.changes.find((c: { key: string }) => c.key === "beta/orderDelivery");
    expect(change).toMatchObject({ action: "update", reason: "drift" });
    expect(change.fields).toEqual([
      { field: "disabled", before: true, after: false },
      { field: "repeatInterval", before: "2 hours", after: "*/30 * * * *" },
    ]);

    const srv: RunningServer = await startServer(
      {
        db: t.db,
        storeUri: "mongodb://127.0.0.1/pause",
        reconcile: async () => ({ revision: "x", outcome: "in-sync" }),
        log: silentLogger(),
        webhookSecret: "s",
        uiPassword: "",
        metrics: createMetrics(),
        pingTimeoutMs: 30_000, // a busy machine's stall is not an unreachable store
      },
      { host: "127.0.0.1", port: 0 },
    );
    try {
      const page = await (await fetch(srv.url)).text();
      expect(page).toContain("1 job edited by hand");
      expect(page).not.toContain("in sync");
      expect(page).toContain("repeatInterval: */30 * * * * → 2 hours");
      expect(page).toContain("suspended (service)");
    } finally {
      await srv.close();
    }

    expect((await cli("apply")).code).toBe(0);
    expect(json(await store("status", "--json")).drifted).toBe(0);
    expect((await job("beta/orderDelivery"))?.disabled).toBe(false);
  });
});
