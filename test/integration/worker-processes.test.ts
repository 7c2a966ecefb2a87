// Worker processes against the real store and a real HTTP receiver: two workers never send the
// same record in one attempt nor run one key twice at once; a worker SIGKILLed mid-batch loses
// nothing and its batch is sent again, whole, with the same Idempotency-Key.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpec } from "../../src/jobs/repository.js";
import { cols, ensureRecordIndexes, storeOrders } from "../../src/records/index.js";
import { trigger } from "../../src/runtime/trigger.js";
import { createAgenda, resolveOptions } from "../../src/runtime/worker.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { anOrder } from "../helpers/records.js";
import { spawnReady } from "../helpers/spawn-child.js";
import { auto, CRASH_WORKER, cart, FAST_WORKER, installJobs, merchant } from "../helpers/worker-jobs.js";

interface Received {
  to: string;
  key: string;
  ids: string[];
  pid: number;
}

/** Records every push; `hang` holds answers for a destination (the worker is killed meanwhile). */
class Receiver {
  received: Received[] = [];
  inFlight = new Map<string, number>();
  maxInFlight = new Map<string, number>();
  hang = new Set<string>();
  server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", async () => {
      const to = decodeURIComponent((req.url ?? "/").slice(1));
      const msg = JSON.parse(body) as Omit<Received, "to">;
      this.received.push({ to, ...msg });
      const n = (this.inFlight.get(to) ?? 0) + 1;
      this.inFlight.set(to, n);
      this.maxInFlight.set(to, Math.max(n, this.maxInFlight.get(to) ?? 0));
      if (this.hang.has(to)) return; // never answered: the worker dies waiting
      await sleep(20);
      this.inFlight.set(to, (this.inFlight.get(to) ?? 1) - 1);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: msg.ids, failed: [] }));
    });
  });
  url = "";
  async start() {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  to(dest: string) {
    return this.received.filter((r) => r.to === dest);
  }
}

function spawnWorker(dbUri: string, url: string, opts: object): Promise<ChildProcess> {
  return spawnReady("worker-child.ts", [dbUri, url, JSON.stringify(opts)]);
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for: ${what}`);
}

// 30 s leases: a worker stalled for seconds keeps its batch, so the exactly-once claims hold.
const FAST = FAST_WORKER;
// 3 s leases: a killed worker's batch is taken over within seconds (one live worker at a time).
const CRASH = CRASH_WORKER;

// Each test spawns the CLI or workers from source (tsx): seconds alone, a minute and more on a busy
// 2-core machine. The timeout only ends a hang; the tests wait for conditions.
describe("worker processes", { timeout: 300_000 }, () => {
  let t: TestDb;
  const rx = new Receiver();
  const children: ChildProcess[] = [];
  // The test process triggers runs the way a download would, through Agenda (never started here).
  let agenda: ReturnType<typeof createAgenda>;

  beforeAll(async () => {
    t = await testDb("wp");
    await ensureRecordIndexes(t.db);
    await rx.start();
    await installJobs(t.db, [
      merchant("two", [cart("A", "two")], { orderDelivery: auto(100, 7) }),
      merchant("kill", [cart("A", "kill")], { orderDelivery: auto(100, 50) }),
      merchant("s1", [cart("A", "s1")], { orderDelivery: auto(100, 50) }),
      merchant("s2", [cart("A", "s2")], { orderDelivery: { kind: "cron", expr: "0 0 1 1 *" } }),
    ]);
    agenda = createAgenda(t.db, resolveOptions({ connectors: {} as never, owner: "test" }));
    await agenda.ready;
  });
  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    rx.server.closeAllConnections();
    rx.server.close();
    await t?.close();
  });

  const fire = async (key: string) => {
    const spec = await loadSpec(t.db, key);
    if (!spec) throw new Error(key);
    await trigger({ db: t.db, agenda, opts: resolveOptions({ connectors: {} as never, ...FAST }) }, spec);
  };

  it("two workers never send the same record in one attempt nor run one key at once", async () => {
    children.push(await spawnWorker(t.dbUri, rx.url, FAST), await spawnWorker(t.dbUri, rx.url, FAST));
    const all: string[] = [];
    for (let wave = 0; wave < 5; wave++) {
      const orders = Array.from({ length: 10 }, (_, i) => anOrder(`${wave}-${i}`, "A"));
      all.push(...(await storeOrders(t.db, "two", "A", orders)));
      await fire("two/orderDelivery");
      await sleep(60);
    }
    await waitFor("every order delivered", async () => {
      return (
        (await cols(t.db).deliveries.countDocuments({ merchantId: "two", state: "delivered" })) === all.length
      );
    });
    const sent = rx.to("two/wms").flatMap((r) => r.ids);
    expect(sent.sort()).toEqual([...all].sort());
    expect(rx.to("two/wms").every((r) => r.ids.length <= 7)).toBe(true);
    expect(new Set(rx.to("two/wms").map((r) => r.key)).size).toBe(rx.to("two/wms").length);
    expect(rx.maxInFlight.get("two/wms")).toBe(1);
  });

  it("a worker killed mid-batch loses nothing; its batch is retried whole with the same key", async () => {
    // The two workers of the previous test stop gracefully first (SIGTERM), so the victim is alone.
    for (const c of children.splice(0)) {
      c.kill("SIGTERM");
      await once(c, "exit");
    }
    rx.hang.add("kill/wms");
    const victim = await spawnWorker(t.dbUri, rx.url, CRASH);
    children.push(victim);
    const first = await storeOrders(
      t.db,
      "kill",
      "A",
      ["1", "2", "3"].map((id) => anOrder(id, "A")),
    );
    await fire("kill/orderDelivery");
    await waitFor("the batch sent by the victim", () => rx.to("kill/wms").length > 0);
    victim.kill("SIGKILL");
    await once(victim, "exit");
    rx.hang.delete("kill/wms");
    const lost = rx.to("kill/wms")[0]!;
    expect(lost.pid).toBe(victim.pid);
    expect([...lost.ids].sort()).toEqual([...first].sort());
    expect(await cols(t.db).deliveries.countDocuments({ merchantId: "kill", state: "inflight" })).toBe(3);

    await storeOrders(t.db, "kill", "A", [anOrder("4", "A")]);
    const survivor = await spawnWorker(t.dbUri, rx.url, CRASH);
    children.push(survivor);
    await fire("kill/orderDelivery");
    await waitFor("every order delivered", async () => {
      return (await cols(t.db).deliveries.countDocuments({ merchantId: "kill", state: "delivered" })) === 4;
    });
    const retried = rx.to("kill/wms").filter((r) => r.key === lost.key && r.pid === survivor.pid);
    expect(retried).toHaveLength(1);
    expect(retried[0]!.ids).toEqual(lost.ids);
    const others = rx.to("kill/wms").filter((r) => r.key !== lost.key);
    expect(others.flatMap((r) => r.ids)).toEqual(["order:kill:A:4"]);
  });

  it("a worker killed with two pushes in flight, restarted, no new data: the sweep sends them again", async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode !== null || c.signalCode !== null) continue; // the previous test's victim
      c.kill("SIGTERM");
      await once(c, "exit");
    }
    rx.hang.add("s1/wms");
    rx.hang.add("s2/wms");
    // Agenda's default lock lifetime (10 min): Agenda itself frees the dead worker's jobs only then.
    const opts = { ...CRASH, lockLifetime: 600_000 };
    const victim = await spawnWorker(t.dbUri, rx.url, opts);
    children.push(victim);
    const auto1 = await storeOrders(t.db, "s1", "A", [anOrder("1", "A")]);
    const periodic = await storeOrders(t.db, "s2", "A", [anOrder("1", "A")]);
    await fire("s1/orderDelivery"); // Automatic: a trigger
    await t.db // periodic (yearly): its scheduled run is due now
      .collection("agendaJobs")
      .updateOne({ "data.schedsync.key": "s2/orderDelivery" }, { $set: { nextRunAt: new Date() } });
    await waitFor("both pushes in flight", () => rx.to("s1/wms").length > 0 && rx.to("s2/wms").length > 0);
    victim.kill("SIGKILL");
    await once(victim, "exit");
    rx.hang.clear();

    // Restarted at once; no new data, no trigger, no cleanup run.
    const restarted = await spawnWorker(t.dbUri, rx.url, opts);
    children.push(restarted);
    await waitFor("both records delivered", async () => {
      const n = await cols(t.db).deliveries.countDocuments({
        merchantId: { $in: ["s1", "s2"] },
        state: "delivered",
      });
      return n === 2;
    });
    for (const [to, ids] of [
      ["s1/wms", auto1],
      ["s2/wms", periodic],
    ] as const) {
      const sends = rx.to(to);
      expect(sends.at(-1)?.pid).toBe(restarted.pid);
      expect(sends.at(-1)?.key).toBe(sends[0]?.key); // the same batch, the same Idempotency-Key
      expect(sends.at(-1)?.ids).toEqual(ids);
    }
  });
});
