// Scenario 4: SIGKILL the embedded FerretDB (the supervisor restarts it on the same port) (a) in the
// middle of an `apply` child and (b) while a worker child has a batch in flight. The applied revision
// must never name a half-written revision, the next apply must converge, and no record may be lost.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { jobsCollection, loadSpec } from "../../src/jobs/repository.js";
import { cols, ensureRecordIndexes, storeOrders } from "../../src/records/index.js";
import { trigger } from "../../src/runtime/trigger.js";
import { createAgenda, resolveOptions } from "../../src/runtime/worker.js";
import { anOrder } from "../helpers/records.js";
import { rng } from "../helpers/rng.js";
import { auto, CRASH_WORKER, cart, installJobs, merchant } from "../helpers/worker-jobs.js";
import { applier } from "./lib/proc.js";
import { bigRepo, JOBS_PER_MERCHANT } from "./lib/repo.js";
import { type ChaosStore, chaosStore } from "./lib/store.js";
import { Outcome, type ScenarioOptions, type ScenarioResult, trace } from "./lib/types.js";
import { compareWithRevision, comparisonFailures } from "./lib/verify.js";

export const name = "store-outage";

const LEASE_MS = 4_000;

/** SIGKILLs the FerretDB process named in server.json; resolves once the supervisor has a new one. */
async function killFerretdb(store: ChaosStore): Promise<number> {
  const file = join(store.dataDir as string, "ferretdb", "server.json");
  const pidOf = async () => (JSON.parse(await readFile(file, "utf8")) as { ferretdbPid: number }).ferretdbPid;
  const pid = await pidOf();
  const killedAt = Date.now();
  process.kill(pid, "SIGKILL");
  trace(`killed ferretdb pid ${pid}`);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await sleep(100);
    const now = await pidOf().catch(() => pid);
    if (now !== pid) return Date.now() - killedAt;
  }
  throw new Error("the supervisor did not restart FerretDB within 120 s");
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(100);
  }
  return false;
}

async function applyOutage(store: ChaosStore, out: Outcome, full: boolean): Promise<void> {
  const merchants = Math.ceil((full ? 10_000 : 3_000) / JOBS_PER_MERCHANT);
  const repo = await bigRepo(merchants, 1, rng(404));
  const t = await store.newDb("chaos_outage");
  const env = { MONGODB_URI: t.dbUri, SCHEDSYNC_LEASE_MS: String(LEASE_MS) };
  const apply = applier(repo.dir, env);
  try {
    const [first, second] = repo.revisions as [string, string];
    const consistent: boolean[] = [];
    const codes: string[] = [];
    let restartMs = 0;
    // Round 1 writes a revision into an empty database, round 2 moves it to the next revision.
    for (const sha of [first, second]) {
      const child = apply(sha);
      // Kill the store once the child has written a few hundred jobs (its writes are under way).
      const writing = await waitFor(async () => {
        if (child.proc.exitCode !== null) return true;
        return (await jobsCollection(t.db).countDocuments({ "data.schedsync.revision": sha })) > 150;
      }, 180_000);
      const midApply = writing && child.proc.exitCode === null;
      if (midApply) restartMs = Math.max(restartMs, await killFerretdb(store));
      const r = await child.exited;
      trace(
        `apply ${sha.slice(0, 8)} exited ${r.code} (store killed mid-apply: ${midApply}) ${child.stderr().slice(-300)}`,
      );
      codes.push(midApply ? String(r.code) : `${r.code} (finished before the kill)`);
      await waitFor(async () => (await t.db.command({ ping: 1 })).ok === 1, 120_000);
      const cmp = await compareWithRevision(t.db, repo.dir, sha);
      // Recorded as applied only with every job of that revision in place.
      const prev = sha === second ? first : "";
      const ok =
        cmp.appliedRevision === prev ||
        (cmp.appliedRevision === sha && comparisonFailures(cmp, sha).length === 0);
      consistent.push(ok);
      out.goal(
        ok,
        `revision ${sha.slice(0, 8)} recorded as applied with ${comparisonFailures(cmp, sha).join(", ")}`,
      );
      out.goal(r.code === 0 || r.code === 1, `apply exited ${r.code}: ${child.stderr().slice(0, 300)}`);
      // The next apply converges exactly.
      const started = Date.now();
      let rerun = await apply(sha).exited;
      if (rerun.code !== 0) rerun = await apply(sha).exited;
      out.figure(`rerun after outage ${consistent.length} (s)`, (Date.now() - started) / 1000);
      out.goal(rerun.code === 0, `the apply after the outage exited ${rerun.code}`);
      const after = await compareWithRevision(t.db, repo.dir, sha);
      for (const f of comparisonFailures(after, sha)) out.goal(false, `after the rerun: ${f}`);
      out.figure(
        `converged after outage ${consistent.length}`,
        comparisonFailures(after, sha).length ? "no" : "yes",
      );
    }
    out.figure("jobs per revision", merchants * JOBS_PER_MERCHANT);
    out.figure("apply exit codes (store killed mid-apply)", codes.join(", "));
    out.figure("applied revision consistent", consistent.every(Boolean) ? "yes" : "no");
    out.figure("FerretDB back after kill (s)", restartMs / 1000);
  } finally {
    await t.close();
    await repo.remove();
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "loader.mjs");
// Short leases: a batch whose store writes failed in the outage is taken over within seconds.
const WORKER = CRASH_WORKER;
// Only ends a hang: a busy 2-core machine drains in minutes.
const DRAIN_MS = 240_000;

async function workerOutage(store: ChaosStore, out: Outcome, full: boolean): Promise<void> {
  const waves = full ? 40 : 10;
  const perWave = 50;
  const t = await store.newDb("chaos_outage_w");
  const received = new Map<string, Set<string>>(); // record id → idempotency keys it came under
  let hold = true; // the first batch waits so the store dies while it is in flight
  let firstBatch: () => void = () => {};
  const gotFirst = new Promise<void>((r) => {
    firstBatch = r;
  });
  const hub = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", async () => {
      const msg = JSON.parse(body) as { key: string; ids: string[] };
      for (const id of msg.ids) received.set(id, (received.get(id) ?? new Set()).add(msg.key));
      if (hold) {
        firstBatch();
        await sleep(1_000);
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: msg.ids, failed: [] }));
    });
  });
  hub.listen(0, "127.0.0.1");
  await once(hub, "listening");
  const url = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  const worker = spawn(
    process.execPath,
    [
      "--import",
      pathToFileURL(tsx).href,
      join(here, "..", "helpers", "worker-child.ts"),
      t.dbUri,
      url,
      JSON.stringify(WORKER),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    await ensureRecordIndexes(t.db);
    await installJobs(t.db, [merchant("so", [cart("A", "so")], { orderDelivery: auto(100, 20) })]);
    const agenda = createAgenda(t.db, resolveOptions({ connectors: {} as never, owner: "chaos" }));
    await agenda.ready;
    let ready = "";
    worker.stdout?.on("data", (c) => {
      ready += c;
    });
    await waitFor(async () => ready.includes("ready"), 120_000);
    const fire = async () => {
      const spec = await loadSpec(t.db, "so/orderDelivery");
      if (spec)
        await trigger(
          { db: t.db, agenda, opts: resolveOptions({ connectors: {} as never, ...WORKER }) },
          spec,
        );
    };
    const all: string[] = [];
    let killedAt = 0;
    let restartMs = 0;
    for (let w = 0; w < waves; w++) {
      const orders = Array.from({ length: perWave }, (_, i) => anOrder(`${w}-${i}`, "A"));
      // The test's own writes ride out the outage too: retry until the store is back.
      for (let tries = 0; ; tries++) {
        try {
          all.push(...(await storeOrders(t.db, "so", "A", orders)));
          await fire();
          break;
        } catch (err) {
          if (tries > 100) throw err;
          await sleep(300);
        }
      }
      if (w === 1) {
        await gotFirst;
        killedAt = Date.now();
        restartMs = await killFerretdb(store);
        hold = false;
      }
      await sleep(200);
    }
    const drained = await waitFor(
      async () =>
        (await cols(t.db).deliveries.countDocuments({ merchantId: "so", state: "delivered" })) === all.length,
      DRAIN_MS,
    );
    const recoverMs = Date.now() - killedAt;
    const delivered = await cols(t.db).deliveries.countDocuments({ merchantId: "so", state: "delivered" });
    const lost = all.filter((id) => !received.has(id)).length + (all.length - delivered);
    const twice = [...received.values()].filter((keys) => keys.size > 1).length;
    out.figure("worker records", all.length);
    out.figure("worker records lost", lost);
    out.figure("records sent under two idempotency keys", twice);
    out.figure("worker: kill to all delivered (s)", recoverMs / 1000);
    out.figure("FerretDB back after kill during the batch (s)", restartMs / 1000);
    out.goal(
      drained,
      `only ${delivered} of ${all.length} records delivered ${DRAIN_MS / 1000} s after the last wave`,
    );
    out.goal(lost === 0, `${lost} records lost`);
    out.goal(twice === 0, `${twice} records sent under different idempotency keys`);
    await agenda.stop().catch(() => {});
  } finally {
    worker.kill("SIGTERM");
    await Promise.race([once(worker, "exit"), sleep(12_000)]);
    if (worker.exitCode === null) worker.kill("SIGKILL");
    hub.closeAllConnections();
    hub.close();
    await t.close();
  }
}

export async function run(opts: ScenarioOptions): Promise<ScenarioResult> {
  const out = new Outcome(name);
  if (opts.storeUri) {
    out.figure("skipped", "needs its own embedded store (it kills FerretDB)");
    return out.result();
  }
  const store = await chaosStore();
  try {
    await applyOutage(store, out, opts.scale === "full");
    await workerOutage(store, out, opts.scale === "full");
  } finally {
    await store.close();
  }
  return out.result();
}
