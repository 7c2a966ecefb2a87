// Blackout windows in the runtime (docs/schedules.md, Blackout windows), on the real store with the
// http connector against a fake hub on 127.0.0.1: a periodic run due inside a window does not call
// the WMS until the window's end, then runs once; an Automatic push waits for the end and goes then.
// The windows are open for minutes (a busy machine may pick a job up seconds late) and are then
// ended by a re-apply with an end a moment ago, as if the end had come.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorFactory } from "../../src/connectors/index.js";
import { jobIdHex, TRIGGER_JOB } from "../../src/jobs/document.js";
import { readJobHealth } from "../../src/jobs/health.js";
import { setNextRun } from "../../src/jobs/repository.js";
import { readStatus } from "../../src/reconcile/status.js";
import { cols, storeOrders } from "../../src/records/index.js";
import { holdForBlackout } from "../../src/runtime/blackout.js";
import { runNow } from "../../src/runtime/manual.js";
import { trigger } from "../../src/runtime/trigger.js";
import { createWorker, type Worker } from "../../src/runtime/worker.js";
import type { BlackoutWindow, Frequency, MerchantModel } from "../../src/schedule/model.js";
import { blackoutRows } from "../../src/server/status-blackout.js";
import { gatherStatus } from "../../src/server/status-data.js";
import { renderStatusPage } from "../../src/server/status-page.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type FakeHub, startFakeHub } from "../helpers/fake-hub-server.js";
import { waitFor } from "../helpers/wait-for.js";
import { auto, cart, FAST_WORKER, installJobs, merchant, order } from "../helpers/worker-jobs.js";

const TOKEN_ENV = "SCHEDSYNC_TEST_BLACKOUT_TOKEN";
const TOKEN = "blackout-secret";
const YEARLY: Frequency = { kind: "cron", expr: "0 0 1 1 *" };
type DatedWindow = Extract<BlackoutWindow, { kind: "dated" }>;
const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

// The timeout only ends a hang; the waits inside are for conditions.
describe("blackout windows in the worker", { timeout: 300_000 }, () => {
  let t: TestDb;
  let hub: FakeHub;
  let w: Worker;
  const wmsOrderAt: number[] = [];
  const options = {
    ...FAST_WORKER,
    processEvery: 100,
    connectors: createConnectorFactory(),
    policy: { maxAttempts: 3, maxAgeMs: 86_400_000, retryDelayMs: 0 },
  };
  const jobDoc = (key: string) =>
    t.db.collection("agendaJobs").findOne({ "data.schedsync.key": key, name: { $ne: TRIGGER_JOB } });
  const wmsCalls = (path: string) => hub.requests.filter((r) => r.path.startsWith(path)).length;
  /**
   * The window ends now: the merchant's jobs are re-applied with its end moved to a moment ago (on a
   * whole second, as windows are), and the jobs held for the old end (the periodic job and trigger
   * jobs of `keys`) are due at the new one. Returns the new end (epoch ms).
   */
  const endWindow = async (m: MerchantModel, window: DatedWindow, oldEnd: number, keys: string[]) => {
    const col = t.db.collection("agendaJobs");
    const held = {
      nextRunAt: { $gte: new Date(oldEnd) },
      $or: [{ "data.schedsync.key": { $in: keys } }, { "data.key": { $in: keys } }],
    };
    // Agenda saves a held job (with the window's end) as its handler returns: moved after that only.
    await waitFor(
      "the held jobs saved",
      async () => (await col.countDocuments({ ...held, lockedAt: { $ne: null } })) === 0,
    );
    const ids = (await col.find(held).project({ _id: 1 }).toArray()).map((d) => d._id);
    expect(ids).toHaveLength(keys.length); // one held job per key
    const ended: DatedWindow = { ...window, end: seconds(Date.now()) };
    const end = Date.parse(ended.end);
    m.blackout = [ended];
    // installJobs leaves the scheduled jobs without a next run: the held ones get theirs below.
    await installJobs(t.db, [m]);
    await col.updateMany({ _id: { $in: ids } }, { $set: { nextRunAt: new Date(end) } });
    return end;
  };

  beforeAll(async () => {
    process.env[TOKEN_ENV] = TOKEN;
    t = await testDb("blackout");
    hub = await startFakeHub({ token: TOKEN, onWmsOrder: () => wmsOrderAt.push(Date.now()) });
    w = createWorker(t.db, { ...options, owner: "w1" });
    await w.start();
  });
  afterAll(async () => {
    await w?.stop(5_000);
    await hub?.close();
    await t?.close();
  });

  it("a periodic run due inside a window waits for its end and runs once; an Automatic push waits too", async () => {
    const http = (url: string) => ({ type: "http", baseUrl: url, tokenEnv: TOKEN_ENV, timeoutMs: 5000 });
    // A window open now for ten minutes, on the merchant (its WMS) only.
    const now = Date.now();
    const window: DatedWindow = {
      kind: "dated",
      start: seconds(now - 1_000),
      end: seconds(now + 600_000),
      reason: "WMS maintenance",
      services: null,
      owner: "merchant",
    };
    const end = Date.parse(window.end);
    const m = merchant(
      "m1",
      [
        cart(
          "a",
          "m1",
          { orderDownload: YEARLY, shipmentUpload: { kind: "off" }, inventoryUpload: { kind: "off" } },
          http(hub.cartUrl("a")),
        ),
      ],
      { orderDelivery: auto(200), shippingConfirmations: YEARLY, inventory: { kind: "off" } },
      http(hub.wmsUrl),
    );
    m.blackout = [window];
    const jobs = await installJobs(t.db, [m]);
    expect(jobs.get("m1/shippingConfirmations")?.blackout).toEqual([window]);
    expect(jobs.get("m1/a/orderDownload")?.blackout).toBeUndefined();

    // The periodic job is due now, inside the window.
    await setNextRun(t.db, jobIdHex("m1/shippingConfirmations"), new Date());
    await waitFor("the run is moved", async () => !!(await jobDoc("m1/shippingConfirmations"))?.lastBlackout);
    const moved = await jobDoc("m1/shippingConfirmations");
    expect(moved?.lastBlackout).toMatchObject({
      outcome: "blackout",
      until: new Date(end),
      reason: "WMS maintenance",
    });
    expect(moved?.nextRunAt).toEqual(new Date(end));
    expect(wmsCalls("/wms/shipments")).toBe(0);

    // An order downloaded from the cart (not in the window) waits for the WMS's window to end.
    hub.cart("a").addOrders([order("a", "1001")]);
    const dl = (await runNow(t.db, "m1/a/orderDownload", { ...options, owner: "manual" })) as {
      stored: number;
      triggered: string[];
    };
    expect(dl).toMatchObject({ stored: 1, triggered: ["m1/orderDelivery"] });
    const trigger = await t.db
      .collection("agendaJobs")
      .findOne({ name: TRIGGER_JOB, "data.key": "m1/orderDelivery" });
    expect((trigger?.nextRunAt as Date | undefined)?.getTime()).toBeGreaterThanOrEqual(end);

    // status shows the window and the moved run.
    const during = await readStatus(t.db, { merchant: "m1", now: new Date(end - 1) });
    const sc = during.jobs.find((j) => j.key === "m1/shippingConfirmations");
    expect(sc?.blackout).toMatchObject({ until: new Date(end).toISOString(), reason: "WMS maintenance" });
    expect(sc?.lastBlackout?.outcome).toBe("blackout");

    // The status page: the merchant's active window (as of just before its end) and its end.
    const rows = blackoutRows(await readJobHealth(t.db, { merchant: "m1" }), new Date(end - 1));
    expect(rows).toMatchObject([
      {
        owner: "m1",
        active: { window: `${window.start} to ${window.end}: WMS maintenance`, end: new Date(end) },
        next: null,
      },
    ]);
    const page = await gatherStatus({ db: t.db, storeUri: "mongodb://x", agendash: false });
    const html = renderStatusPage({ ...page, blackout: rows });
    expect(html).toContain('<section id="blackout">');
    expect(html).toMatch(/<strong>m1<\/strong>.*now, until/);

    // A manual run inside the window is refused, unless asked to ignore it.
    expect(await runNow(t.db, "m1/shippingConfirmations", { ...options, owner: "manual" })).toMatchObject({
      refused: "blackout",
      until: new Date(end).toISOString(),
    });

    // Nothing reached the WMS during the window.
    expect(hub.wms.orders.accepted.has("order:m1:a:1001")).toBe(false);
    expect(wmsCalls("/wms/shipments")).toBe(0);

    // After the end: the periodic run happens once, the order reaches the WMS.
    const ended = await endWindow(m, window, end, ["m1/shippingConfirmations", "m1/orderDelivery"]);
    await waitFor("the order at the WMS", () => hub.wms.orders.accepted.has("order:m1:a:1001"));
    expect(wmsOrderAt[0]).toBeGreaterThanOrEqual(ended);
    await waitFor("the moved run ran", () => wmsCalls("/wms/shipments") > 0);
    await waitFor("its job saved", async () => {
      const d = await jobDoc("m1/shippingConfirmations");
      return !d?.lockedAt && (d?.nextRunAt as Date | null)?.getTime() !== ended;
    });
    const next = (await jobDoc("m1/shippingConfirmations"))?.nextRunAt as Date;
    // Agenda's own repeat: the cron's next run after the one at the window's end (next 1 January).
    expect(next.getUTCMonth()).toBe(0);
    expect(next.getTime()).toBeGreaterThan(ended + 86_400_000);
    expect(wmsCalls("/wms/shipments")).toBe(1);
  });

  it("a trigger queued before a window began and due inside it waits for the end, with its records", async () => {
    const now = Date.now();
    const window: DatedWindow = {
      kind: "dated",
      start: seconds(now - 1_000),
      end: seconds(now + 600_000),
      reason: null,
      services: ["orderDelivery"],
      owner: "merchant",
    };
    const end = Date.parse(window.end);
    const wms = { type: "http", baseUrl: hub.wmsUrl, tokenEnv: TOKEN_ENV, timeoutMs: 5000 };
    const m = merchant(
      "m2",
      [],
      { orderDelivery: auto(200), shippingConfirmations: YEARLY, inventory: { kind: "off" } },
      wms,
    );
    const withoutWindow = (await installJobs(t.db, [m])).get("m2/orderDelivery")!;
    // An order waits for delivery, and a trigger is queued as if before the window was applied.
    const [id] = await storeOrders(t.db, "m2", "x", [order("x", "1")]);
    m.blackout = [window];
    await installJobs(t.db, [m]);
    await trigger(w.ctx, withoutWindow, 300);
    await waitFor("the trigger is held", async () => !!(await jobDoc("m2/orderDelivery"))?.lastBlackout);
    const held = await t.db
      .collection("agendaJobs")
      .findOne({ name: TRIGGER_JOB, "data.key": "m2/orderDelivery" });
    expect(held?.nextRunAt).toEqual(new Date(end));
    expect((await cols(t.db).deliveries.findOne({ recordId: id }))?.state).toBe("pending");
    const ended = await endWindow(m, window, end, ["m2/orderDelivery"]);
    await waitFor(
      "delivered after the window",
      async () => (await cols(t.db).deliveries.findOne({ recordId: id }))?.state === "delivered",
    );
    expect(wmsOrderAt.at(-1)).toBeGreaterThanOrEqual(ended);
  });

  it("across DST changes in Europe/Berlin, a held job waits until the window's end on the local clock", async () => {
    const m = merchant("m3", [], {
      orderDelivery: { kind: "off" },
      shippingConfirmations: YEARLY,
      inventory: { kind: "off" },
    });
    m.timezone = "Europe/Berlin";
    m.blackout = [
      { kind: "daily", from: "01:30", to: "02:30", reason: "nightly", services: null, owner: "merchant" },
    ];
    const spec = (await installJobs(t.db, [m])).get("m3/shippingConfirmations")!;
    const id = jobIdHex(spec.key);
    // Disabled, so the running worker leaves this past-dated job to the test.
    await t.db
      .collection("agendaJobs")
      .updateOne({ "data.schedsync.key": spec.key }, { $set: { disabled: true } });
    const hold = (now: string) => holdForBlackout(w.ctx, spec, { attrs: { _id: id } }, new Date(now));
    // Spring forward (29 March 2026, 02:00 CET → 03:00 CEST): 02:30 does not exist; the end is 03:00 CEST.
    expect((await hold("2026-03-29T00:45:00Z"))?.end).toEqual(new Date("2026-03-29T01:00:00Z"));
    expect((await jobDoc(spec.key))?.nextRunAt).toEqual(new Date("2026-03-29T01:00:00Z"));
    // Fall back (25 October 2026, 03:00 CEST → 02:00 CET): until the second 02:30, 02:30 CET.
    expect((await hold("2026-10-25T00:45:00Z"))?.end).toEqual(new Date("2026-10-25T01:30:00Z"));
    expect((await jobDoc(spec.key))?.nextRunAt).toEqual(new Date("2026-10-25T01:30:00Z"));
    expect((await jobDoc(spec.key))?.lastBlackout).toMatchObject({
      window: "daily 01:30-02:30: nightly",
      reason: "nightly",
    });
    // Outside the window nothing is held or written.
    expect(await hold("2026-10-25T01:30:00Z")).toBeNull();
    expect((await jobDoc(spec.key))?.nextRunAt).toEqual(new Date("2026-10-25T01:30:00Z"));
  });
});
