// API budgets per connection (connection.rateLimit) on the real store and real HTTP servers on
// 127.0.0.1: two worker processes together start no more requests than one budget allows; a run whose next token is too
// far ends early with the wait as data, its cursor at the last stored page; a 429 storm pauses the
// budget for Retry-After, lowers its pace, and the pull resumes after it with nothing lost.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budgetsIn, createConnectorFactory } from "../../src/connectors/index.js";
import type { BucketState } from "../../src/connectors/token-bucket.js";
import { loadSpec } from "../../src/jobs/repository.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { BUDGETS, cols, ensureRecordIndexes, storeOrders } from "../../src/records/index.js";
import { runNow } from "../../src/runtime/manual.js";
import { loadRun } from "../../src/runtime/run-state.js";
import { triggerOnDemand } from "../../src/runtime/trigger.js";
import { createAgenda, resolveOptions } from "../../src/runtime/worker.js";
import type { ConnectionSpec } from "../../src/schedule/model.js";
import { type BudgetServer, startBudgetServer } from "../helpers/budget-server.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { anOrder } from "../helpers/records.js";
import { spawnReady } from "../helpers/spawn-child.js";
import { waitFor } from "../helpers/wait-for.js";
import { auto, cart, FAST_WORKER, installJobs, merchant } from "../helpers/worker-jobs.js";

function shop(url: string, rateLimit: Record<string, unknown>): ConnectionSpec {
  return { type: "http", baseUrl: `${url}/shop`, tokenEnv: "SHOP_TOKEN", rateLimit };
}

/** A worker process and the start instants (epoch ms) of the tokens it took, as it prints them. */
async function spawnWorker(dbUri: string, token: string, taken: number[]): Promise<ChildProcess> {
  // Two runs at a time each: the four carts' runs spread over both processes.
  const opts = JSON.stringify({ ...FAST_WORKER, concurrency: 2, lockLimit: 2 });
  const child = await spawnReady("budget-worker-child.ts", [dbUri, opts], {
    ...process.env,
    SHOP_TOKEN: token,
  });
  let rest = "";
  child.stdout?.on("data", (chunk) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) if (l.startsWith("taken ")) taken.push(Number(l.slice(6)));
  });
  return child;
}

/** The most start instants within any half-open span [t, t + spanMs). */
function busiestSpan(instants: number[], spanMs: number): number {
  const s = [...instants].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while ((s[j] as number) < (s[i] as number) - spanMs + 1) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

// Spawning workers from source takes seconds alone, a minute on a busy 2-core machine: the timeout
// only ends a hang; the tests wait for conditions.
describe("API budgets", { timeout: 300_000 }, () => {
  let t: TestDb;
  const servers: BudgetServer[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    t = await testDb("budget");
    await ensureRecordIndexes(t.db);
  });
  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    for (const s of servers) await s.close();
    await t?.close();
  });

  // What the bucket bounds is when requests start: the start instants the workers were given. The
  // server's arrivals add each request's delay on the way, which a busy machine makes uneven, so
  // they are checked against those instants: none sent without a token or before it.
  it("holds across two worker processes: no second starts more than requests + burst", async () => {
    const server = await startBudgetServer({ endless: true });
    servers.push(server);
    // One account (same base URL and token variable) for four carts: one budget of 5 a second.
    const conn = shop(server.url, { requests: 5, per: "1s", burst: 5 });
    const carts = ["a", "b", "c", "d"].map((id) => cart(id, "two", {}, conn));
    await installJobs(t.db, [merchant("two", carts)]);
    const taken: number[] = [];
    children.push(
      await spawnWorker(t.dbUri, "process-1", taken),
      await spawnWorker(t.dbUri, "process-2", taken),
    );
    const agenda = createAgenda(t.db, resolveOptions({ connectors: {} as never, owner: "test" }));
    await agenda.ready;
    // Each run pulls endless pages, so both workers ask for more than the budget has.
    for (const id of ["a", "b", "c", "d"]) {
      const spec = await loadSpec(t.db, `two/${id}/orderDownload`);
      if (!spec) throw new Error(id);
      await triggerOnDemand({ db: t.db, agenda }, spec, 1);
    }
    const both = () => new Set(server.arrivals.map((a) => a.authorization)).size === 2;
    await waitFor("60 pulls from both processes", () => server.arrivals.length >= 60 && both(), 180_000);
    // "close", not "exit": the lines still in the pipe are read by then.
    const closed = children.map((c) => once(c, "close"));
    for (const c of children.splice(0)) c.kill("SIGTERM");
    await Promise.all(closed);
    // No request before its token: the k-th arrival comes no earlier than the k-th start instant
    // (1 ms for a timer's rounding). Delays on the way only make arrivals later.
    const starts = [...taken].sort((a, b) => a - b);
    const early = server.arrivals
      .map((a) => a.at)
      .sort((a, b) => a - b)
      .filter((at, k) => at < (starts[k] ?? Infinity) - 1);
    expect(taken.length).toBeGreaterThanOrEqual(server.arrivals.length);
    expect(early).toEqual([]);
    expect(Math.max(...taken) - Math.min(...taken)).toBeGreaterThanOrEqual(5_000);
    expect(busiestSpan(taken, 1_000)).toBeLessThanOrEqual(5 * 1 + 5);
    // Over ten seconds: the burst once, then the rate.
    expect(busiestSpan(taken, 10_000)).toBeLessThanOrEqual(5 * 10 + 5);
    expect(new Set(server.arrivals.map((a) => a.authorization))).toEqual(
      new Set(["Bearer process-1", "Bearer process-2"]),
    );
    const doc = await t.db.collection(BUDGETS).findOne({});
    expect(doc?._id).toBe(`http ${server.url}/shop SHOP_TOKEN`);
  });

  it("ends a pull early when the next token is too far: the wait as data, the cursor at the last stored page", async () => {
    const server = await startBudgetServer({ orders: 30 });
    servers.push(server);
    // Two tokens, then one an hour: the run gets two pages of 5 and stops before the third.
    const conn = shop(server.url, { requests: 1, per: "1h", burst: 2 });
    await installJobs(t.db, [merchant("slow", [cart("web", "slow", {}, conn)])]);
    const env = { SHOP_TOKEN: "t" };
    const connectors = createConnectorFactory({ budgets: budgetsIn(t.db), env });
    const report = await runNow(t.db, "slow/web/orderDownload", { connectors, pullLimit: 5 });
    expect(report).toMatchObject({ pages: 2, pulled: 10, stored: 10 });
    expect((report as { budgetRetryAfterMs: number }).budgetRetryAfterMs).toBeGreaterThan(3_000_000);
    expect(server.arrivals).toHaveLength(2);
    const run = await loadRun(t.db, "slow/web/orderDownload");
    expect(run?.lastError).toBeNull();
    expect(run?.lastOutcome).toMatchObject({ pages: 2, stored: 10 });
    expect(run?.lastOutcome?.budgetRetryAfterMs).toBeGreaterThan(3_000_000);
    expect((await cols(t.db).cursors.findOne({ _id: "slow/web/orderDownload" }))?.cursor).toBe("10");
  });

  it("a 429 storm: the budget pauses for Retry-After, its pace drops, and the pull resumes with nothing lost", async () => {
    const server = await startBudgetServer({ orders: 30 });
    servers.push(server);
    const conn = shop(server.url, { requests: 20, per: "1s", burst: 20 });
    await installJobs(t.db, [merchant("storm", [cart("web", "storm", {}, conn)])]);
    const metrics = createMetrics();
    const connectors = createConnectorFactory({
      budgets: budgetsIn(t.db, metrics.hooks),
      env: { SHOP_TOKEN: "t" },
    });
    const key = "storm/web/orderDownload";
    const budget = `http ${server.url}/shop SHOP_TOKEN`;

    // Three 429s in a row: the call's first send and both retries.
    server.storm = 3;
    const first = await runNow(t.db, key, { connectors, pullLimit: 5 });
    expect(first).toMatchObject({ pages: 0, stored: 0 });
    expect((first as { budgetRetryAfterMs?: number }).budgetRetryAfterMs).toBe(1_000);
    expect((await loadRun(t.db, key))?.lastError).toBeNull();
    const statuses = server.arrivals.map((a) => a.status);
    expect(statuses).toEqual([429, 429, 429]);
    // Each retry came after the Retry-After of the 429 before it.
    for (let i = 1; i < server.arrivals.length; i++) {
      const gap = (server.arrivals[i]?.at ?? 0) - (server.arrivals[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(1_000);
    }
    const state = (await t.db.collection(BUDGETS).findOne({ _id: budget as never }))?.state as BucketState;
    expect(state.pace).toBeLessThan(1);
    expect(state.pausedUntil).toBeGreaterThan(server.arrivals[2]?.at ?? 0);
    const text = (await metrics.render()).text;
    expect(text).toContain(`schedsync_budget_rate_limited_total{budget="${budget}"} 3`);

    // The storm is over: the next run takes every order, after the pause.
    const second = await runNow(t.db, key, { connectors, pullLimit: 5 });
    expect(second).toMatchObject({ stored: 30, more: false });
    const after = server.arrivals.slice(3);
    expect(after.every((a) => a.status === 200 && a.at >= state.pausedUntil)).toBe(true);
    expect(await cols(t.db).orders.countDocuments({ merchantId: "storm" })).toBe(30);
  });

  it("a push under a 429 storm: its records wait out Retry-After as retryable failures, then are delivered once", async () => {
    const server = await startBudgetServer();
    servers.push(server);
    const wms = shop(server.url, { requests: 20, per: "1s", burst: 20 });
    await installJobs(t.db, [merchant("push", [cart("web", "push")], { orderDelivery: auto(100, 50) }, wms)]);
    await storeOrders(t.db, "push", "web", [anOrder("p1", "web"), anOrder("p2", "web")]);
    const connectors = createConnectorFactory({ budgets: budgetsIn(t.db), env: { SHOP_TOKEN: "t" } });
    const deliveries = () => cols(t.db).deliveries.find({ merchantId: "push" }).toArray();

    server.storm = 3;
    await runNow(t.db, "push/orderDelivery", { connectors });
    expect(server.arrivals.map((a) => a.status)).toEqual([429, 429, 429]);
    const failed = await deliveries();
    expect(failed.map((d) => d.state)).toEqual(["failed", "failed"]);
    for (const d of failed)
      expect(d.nextEligibleAt?.getTime()).toBeGreaterThanOrEqual((server.arrivals[2]?.at ?? 0) + 1_000);

    await waitFor("both records delivered after the storm", async () => {
      await runNow(t.db, "push/orderDelivery", { connectors });
      return (await deliveries()).every((d) => d.state === "delivered");
    });
    const posts = server.arrivals.filter((a) => a.status === 200 && a.method === "POST");
    expect(posts).toHaveLength(1);
  });
});
