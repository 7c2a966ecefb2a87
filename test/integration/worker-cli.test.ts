// The worker commands through the real CLI (child processes) on the real store, with the http
// connector against a fake hub on 127.0.0.1: records, resend, run, and worker's graceful SIGTERM.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectorFactory } from "../../src/connectors/index.js";
import { TRIGGER_JOB } from "../../src/jobs/document.js";
import { tryAcquire } from "../../src/platform/lease.js";
import { SAME_SIGNAL_MS } from "../../src/platform/signals.js";
import { cols, type DeliveryDoc } from "../../src/records/index.js";
import { runNow } from "../../src/runtime/manual.js";
import { runLockName } from "../../src/runtime/run-key.js";
import type { ConnectionSpec } from "../../src/schedule/model.js";
import { cliArgs, runCli } from "../helpers/cli.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type FakeHub, startFakeHub } from "../helpers/fake-hub-server.js";
import { waitFor } from "../helpers/wait-for.js";
import { auto, cart, every5m, installJobs, merchant, order } from "../helpers/worker-jobs.js";

const TOKEN_ENV = "SCHEDSYNC_CLI_HUB_TOKEN";
const TOKEN = "cli-secret";

// Each test spawns the CLI or workers from source (tsx): seconds alone, a minute and more on a busy
// 2-core machine. The timeout only ends a hang; the tests wait for conditions.
describe("schedsync records / resend / run / worker", { timeout: 300_000 }, () => {
  let t: TestDb;
  let hub: FakeHub;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, { env });
  const json = <T>(stdout: string): T => JSON.parse(stdout) as T;

  beforeAll(async () => {
    process.env[TOKEN_ENV] = TOKEN;
    t = await testDb("wc");
    hub = await startFakeHub({ token: TOKEN });
    env = { MONGODB_URI: t.dbUri, [TOKEN_ENV]: TOKEN };
    const http = (baseUrl: string): ConnectionSpec => ({ type: "http", baseUrl, tokenEnv: TOKEN_ENV });
    // m: periodic delivery (runs only when asked); n: Automatic delivery.
    await installJobs(t.db, [
      merchant(
        "m",
        [cart("a", "m", {}, http(hub.cartUrl("a")))],
        { orderDelivery: every5m },
        http(hub.wmsUrl),
      ),
      merchant(
        "n",
        [cart("x", "n", {}, http(hub.cartUrl("x")))],
        { orderDelivery: auto() },
        http(hub.wmsUrl),
      ),
    ]);
  });
  afterAll(async () => {
    await hub?.close();
    await t?.close();
  });

  it("run <key> downloads and delivers, in text and JSON", async () => {
    hub.cart("a").addOrders([order("a", "1"), order("a", "2")]);
    hub.failIds.set("order:m:a:2", { error: "no such sku", retryable: true });
    const dl = await cli("run", "m/a/orderDownload", "--json");
    expect(dl.code, dl.stderr).toBe(0);
    expect(json(dl.stdout)).toMatchObject({ pages: 1, pulled: 2, stored: 2, triggered: [] });
    const push = await cli("run", "m/orderDelivery");
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout.trim()).toBe(
      "m/orderDelivery: batches 1, delivered 1, failed 1, skipped 0, requeued 0, more false",
    );
    expect(hub.wms.orders.accepted.has("order:m:a:1")).toBe(true);
  });

  it("run <key> fails clearly for an unknown key and for a key running elsewhere", async () => {
    const unknown = await cli("run", "nope/orderDelivery");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      "schedsync: no job with key nope/orderDelivery (see `schedsync status`)",
    );
    const lease = await tryAcquire(t.db, runLockName("m/orderDelivery"), 60_000);
    expect(lease).toBeTruthy();
    try {
      const busy = await cli("run", "m/orderDelivery");
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain("m/orderDelivery is running elsewhere");
    } finally {
      await lease?.release();
    }
  });

  it("records lists by status and merchant, as text and JSON", async () => {
    // A skipped record for merchant n: one attempt allowed.
    hub.cart("x").addOrders([order("x", "9")]);
    hub.failIds.set("order:n:x:9", { error: "bad address", retryable: true });
    const opts = {
      connectors: createConnectorFactory(),
      policy: { maxAttempts: 1, maxAgeMs: 86_400_000, retryDelayMs: 0 },
    };
    await runNow(t.db, "n/x/orderDownload", opts);
    expect(await runNow(t.db, "n/orderDelivery", opts)).toMatchObject({ skipped: 1 });
    await t.db.collection("agendaJobs").deleteMany({ name: TRIGGER_JOB }); // the download's trigger

    const failed = await cli("records", "--status", "failed", "--json");
    expect(failed.code, failed.stderr).toBe(0);
    expect(json<DeliveryDoc[]>(failed.stdout).map((d) => [d.recordId, d.state, d.attempts])).toEqual([
      ["order:m:a:2", "failed", 1],
    ]);

    const skipped = await cli("records", "--status", "skipped");
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout.trim()).toBe("order:n:x:9  orderDelivery → wms  skipped  attempts 1  bad address");

    const ofM = await cli("records", "--merchant", "m", "--json");
    const rows = json<DeliveryDoc[]>(ofM.stdout);
    expect(rows.map((d) => `${d.recordId} ${d.state}`).sort()).toEqual([
      "order:m:a:1 delivered",
      "order:m:a:2 failed",
    ]);

    const none = await cli("records", "--status", "failed", "--merchant", "n");
    expect(none.stdout.trim()).toBe("no records");

    const bad = await cli("records", "--status", "lost");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("bad --status lost");
  });

  it("resend puts records back and triggers Automatic services; unknown ids exit 1", async () => {
    hub.failIds.delete("order:n:x:9");
    const r = await cli("resend", "order:n:x:9");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("requeued 1; triggered n/orderDelivery");
    expect(await cols(t.db).deliveries.findOne({ recordId: "order:n:x:9" })).toMatchObject({
      state: "pending",
      attempts: 0,
    });
    expect(
      await t.db
        .collection("agendaJobs")
        .countDocuments({ name: TRIGGER_JOB, "data.key": "n/orderDelivery" }),
    ).toBe(1);

    const unknown = await cli("resend", "order:m:a:404");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("nothing to resend for: order:m:a:404");
  });

  it("worker runs the pending trigger; SIGTERM lets the batch in flight finish and exits 0", async () => {
    // The resent record goes out through the trigger left by resend; its answer is held 5 s so
    // SIGTERM lands while the batch is in flight. The stop timeout only ends a hang.
    hub.script.push({ delayMs: 5_000 });
    const stopTimeoutMs = 120_000;
    // Counted before the spawn: the worker's push may come before "worker started" is read.
    const before = hub.requests.length;
    const child = spawn(process.execPath, cliArgs(["worker", "--stop-timeout", String(stopTimeoutMs)]), {
      env: { ...process.env, CI: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (c) => {
      out += c;
    });
    child.stderr?.on("data", (c) => {
      out += c;
    });
    const exited = once(child, "exit");
    try {
      await waitFor("the worker started", () => out.includes("worker started"), 120_000);
      await waitFor(
        "the push in flight",
        () => hub.requests.slice(before).some((r) => r.method === "POST" && r.path.startsWith("/wms/")),
        120_000,
      );
      child.kill("SIGTERM");
      const [code] = await exited;
      expect(code, out).toBe(0);
      expect(out).toContain("worker stopped");
      expect(await cols(t.db).deliveries.findOne({ recordId: "order:n:x:9" })).toMatchObject({
        state: "delivered",
      });
      expect(await cols(t.db).batches.countDocuments({})).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
  /** A worker whose next WMS push (a new order of cart x, triggered by its download) hangs. */
  async function workerWithHangingPush(id: string, args: string[]) {
    hub.cart("x").addOrders([order("x", id)]);
    await runNow(t.db, "n/x/orderDownload", { connectors: createConnectorFactory() });
    hub.script.push({ delayMs: 600_000 });
    const before = hub.requests.length;
    const child = spawn(process.execPath, cliArgs(["worker", ...args]), {
      env: { ...process.env, CI: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const run = { child, out: "", exited: once(child, "close") };
    child.stdout?.on("data", (c) => {
      run.out += c;
    });
    child.stderr?.on("data", (c) => {
      run.out += c;
    });
    await waitFor("the worker started", () => run.out.includes("worker started"), 120_000);
    await waitFor(
      "the push in flight",
      () => hub.requests.slice(before).some((r) => r.method === "POST" && r.path.startsWith("/wms/")),
      120_000,
    );
    return run;
  }

  /** Nothing the stopped worker held is left: no job lock, and the key's run lease is free. */
  async function expectNothingHeld() {
    expect(await t.db.collection("agendaJobs").countDocuments({ lockedAt: { $ne: null } })).toBe(0);
    const lease = await tryAcquire(t.db, runLockName("n/orderDelivery"), 60_000);
    expect(lease).toBeTruthy();
    await lease?.release();
  }

  it("a second SIGTERM does not wait for the hanging push: exits 143 and leaves no lock behind", async () => {
    const run = await workerWithHangingPush("21", ["--stop-timeout", "600000"]);
    try {
      const first = Date.now();
      run.child.kill("SIGTERM");
      // A copy a few ms later (npm forwards the terminal's Ctrl-C) is the same stop, not a second.
      await sleep(5);
      run.child.kill("SIGTERM");
      await waitFor("the graceful stop waiting", () => run.out.includes("waiting for running jobs"), 120_000);
      await sleep(Math.max(0, SAME_SIGNAL_MS + 100 - (Date.now() - first)));
      expect(run.child.exitCode === null && run.child.signalCode === null, run.out).toBe(true);
      expect(run.out).not.toContain("second stop signal");
      run.child.kill("SIGTERM");
      const [code] = await run.exited;
      expect(code, run.out).toBe(143);
      expect(run.out).toContain("second stop signal");
      expect(run.out).toMatch(/"abandoned":1,"msg":"stopped without waiting"/);
      await expectNothingHeld();
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    }
  });

  it("a stop that gives up on a running job at --stop-timeout frees its run lease too", async () => {
    const run = await workerWithHangingPush("22", ["--stop-timeout", "200"]);
    try {
      run.child.kill("SIGTERM");
      const [code] = await run.exited;
      expect(code, run.out).toBe(0);
      expect(run.out).toMatch(/"running":1,"timeoutMs":200,"runLeasesFreed":1,"msg":"gave up waiting/);
      expect(run.out).toContain("worker stopped");
      await expectNothingHeld();
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    }
  });
});
