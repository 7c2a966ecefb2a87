// Scenario 2: SIGKILL `schedsync apply` at random points of a big apply, then one clean rerun; the
// jobs must equal the revision exactly (no duplicates, no leftovers, no stale specs).
import { setTimeout as sleep } from "node:timers/promises";
import type { Db } from "mongodb";
import { LOCKS } from "../../src/platform/lease.js";
import { readApplied } from "../../src/reconcile/history.js";
import { rng } from "../helpers/rng.js";
import { applier, type Child } from "./lib/proc.js";
import { bigRepo, JOBS_PER_MERCHANT } from "./lib/repo.js";
import { chaosStore, watchdogRestarts } from "./lib/store.js";
import { Outcome, type ScenarioOptions, type ScenarioResult, trace } from "./lib/types.js";
import { compareWithRevision, comparisonFailures } from "./lib/verify.js";

export const name = "reconciler-crash";

const LEASE_MS = 4_000;

/** Resolves true once this child holds the reconcile lock, false if it exits first. */
async function waitForLock(db: Db, child: Child, timeoutMs: number): Promise<boolean> {
  const pid = child.proc.pid;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.proc.exitCode === null && child.proc.signalCode === null) {
    const lock = await db.collection<{ _id: string; holder: string }>(LOCKS).findOne({ _id: "reconcile" });
    if (lock?.holder.includes(`:${pid}:`)) return true;
    await sleep(50);
  }
  return false;
}

export async function run(opts: ScenarioOptions): Promise<ScenarioResult> {
  const out = new Outcome(name);
  const full = opts.scale === "full";
  // JOBS_PER_MERCHANT counts every service on; the generator turns ~7 % off, so aim above 50k.
  const merchants = full ? Math.ceil(54_000 / JOBS_PER_MERCHANT) : Math.ceil(3_000 / JOBS_PER_MERCHANT);
  const kills = full ? 20 : 3;
  const rand = rng(full ? 2002 : 202);
  const store = await chaosStore(opts.storeUri);
  const repo = await bigRepo(merchants, 2, rand);
  trace(`repo ready: ${merchants} merchants, ${repo.revisions.length} revisions`);
  const t = await store.newDb("chaos_crash");
  const env = { MONGODB_URI: t.dbUri, SCHEDSYNC_LEASE_MS: String(LEASE_MS) };
  const apply = applier(repo.dir, env);
  try {
    // How long the writes take once the lock is held; learnt from runs that finish before their kill.
    let applyEstimateMs = merchants * JOBS_PER_MERCHANT;
    let killedMidApply = 0;
    let killedBeforeLock = 0;
    let finishedBeforeKill = 0;
    // An apply that finishes before its kill does not count: try again (up to 5× the kills) with
    // a shorter estimate, until the kills are in and at least half landed while the lock was held.
    const enough = () => killedMidApply + killedBeforeLock >= kills && killedMidApply >= Math.ceil(kills / 2);
    for (let k = 0; !enough() && k < kills * 5; k++) {
      // Never the applied revision: its apply would only compare, and the kill should hit writes.
      const applied = (await readApplied(t.db))?.revision;
      const others = repo.revisions.filter((r) => r !== applied);
      const sha = others[Math.floor(rand() * others.length)] as string;
      const child = apply(sha);
      const early = rand() < 0.2;
      const locked = early ? false : await waitForLock(t.db, child, 120_000);
      const lockedAt = Date.now();
      trace(
        `attempt ${k + 1}: ${sha.slice(0, 8)} locked=${locked} estimate=${Math.round(applyEstimateMs)} ms`,
      );
      await sleep(early ? 300 + rand() * 1_500 : rand() * applyEstimateMs);
      if (child.proc.exitCode !== null) {
        finishedBeforeKill++;
        applyEstimateMs = Math.max(500, (Date.now() - lockedAt) * 0.9);
        continue;
      }
      child.proc.kill("SIGKILL");
      await child.exited;
      if (locked) killedMidApply++;
      else killedBeforeLock++;
    }
    const newest = repo.revisions[repo.revisions.length - 1] as string;
    // A clean rerun; a second one only if the first met a FerretDB the watchdog had to restart.
    const started = Date.now();
    let attempts = 0;
    let r: { code: number | null } = { code: null };
    let clean: Child | undefined;
    while (attempts < 3 && r.code !== 0) {
      attempts++;
      trace(`clean rerun ${attempts}`);
      clean = apply(newest);
      r = await clean.exited;
    }
    const rerunMs = Date.now() - started;
    trace(`clean rerun exited ${r.code} in ${rerunMs} ms`);
    out.goal(r.code === 0, `clean rerun exited ${r.code}: ${clean?.stderr().slice(0, 500)}`);
    const cmp = await compareWithRevision(t.db, repo.dir, newest);
    out.figure("jobs in the revision", cmp.desired);
    out.figure("SIGKILLs while holding the lock (read, plan, write)", killedMidApply);
    out.figure("SIGKILLs before the lock (loading)", killedBeforeLock);
    out.figure("applies that finished before their kill", finishedBeforeKill);
    out.figure("clean rerun (s, incl. lease expiry)", rerunMs / 1000);
    out.figure("lease (s)", LEASE_MS / 1000);
    out.figure("clean rerun attempts", attempts);
    out.figure("FerretDB restarts by the stall watchdog", await watchdogRestarts(store.dataDir));
    out.figure("missing jobs", cmp.missing);
    out.figure("duplicate jobs", cmp.duplicates);
    out.figure("leftover jobs", cmp.leftovers);
    out.figure("jobs with a stale spec", cmp.wrongSpec);
    for (const f of comparisonFailures(cmp, newest)) out.goal(false, f);
    out.goal(
      killedMidApply >= Math.ceil(kills / 2),
      `only ${killedMidApply} of ${kills} kills landed while the apply held the lock`,
    );
  } finally {
    await t.close();
    await repo.remove();
    await store.close();
  }
  return out.result();
}
