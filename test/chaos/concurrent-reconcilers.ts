// Scenario 3: several `schedsync apply` processes at once, fed random revisions in random order, all
// against one database. The newest revision must win, and the history must show one apply at a time.
import type { Db } from "mongodb";
import { merchantYaml } from "../../bench/lib/schedules-repo.js";
import { HISTORY, type HistoryEntry } from "../../src/reconcile/history.js";
import { tempRepo } from "../helpers/git-repo.js";
import { rng } from "../helpers/rng.js";
import { runCliChild } from "./lib/proc.js";
import { chaosStore } from "./lib/store.js";
import { Outcome, type ScenarioOptions, type ScenarioResult, trace } from "./lib/types.js";
import { compareWithRevision, comparisonFailures } from "./lib/verify.js";

export const name = "concurrent-reconcilers";

// No apply is killed here, so nothing waits for a lease to expire: the default 30 s keeps a holder
// stalled for seconds on a busy machine from losing it (that would interleave applies).
const LEASE_MS = 30_000;
const MERCHANTS = 8;

/** One merchant's file with another frequency mix (shift) under its own id. */
function merchantFile(i: number, shift: number, carts: number): string {
  return merchantYaml(i + shift, carts)
    .replace(`{ id: m${i + shift} }`, `{ id: m${i} }`)
    .replaceAll(`merchant: m${i + shift} }`, `merchant: m${i} }`);
}

/** Commits `count` revisions; each one reschedules, drops and adds merchants at random. */
async function randomRevisions(count: number, rand: () => number) {
  const repo = await tempRepo();
  const shas: string[] = [];
  for (let r = 0; r < count; r++) {
    const files: Record<string, string | null> = {};
    for (let i = 0; i < MERCHANTS; i++) {
      const keep = i === 0 || rand() < 0.7;
      files[`schedules/m${i}.yaml`] = keep
        ? merchantFile(i, Math.floor(rand() * 5), 1 + Math.floor(rand() * 2))
        : null;
    }
    shas.push(await repo.commit(files, `revision ${r}`));
  }
  return { repo, shas };
}

function shuffled<T>(items: T[], rand: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** Locked history entries (those with a lease holder) that started before the previous one finished. */
export async function interleavedApplies(db: Db): Promise<{ locked: number; interleaved: number }> {
  const entries = await db
    .collection<HistoryEntry>(HISTORY)
    .find({ holder: { $exists: true } })
    .sort({ startedAt: 1 })
    .toArray();
  let interleaved = 0;
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1] as HistoryEntry;
    const cur = entries[i] as HistoryEntry;
    if (cur.startedAt.getTime() < prev.finishedAt.getTime()) interleaved++;
  }
  return { locked: entries.length, interleaved };
}

export async function run(opts: ScenarioOptions): Promise<ScenarioResult> {
  const out = new Outcome(name);
  const full = opts.scale === "full";
  const revisionCount = full ? 50 : 6;
  const processes = full ? 4 : 3;
  const rand = rng(full ? 3003 : 303);
  const store = await chaosStore(opts.storeUri);
  const { repo, shas } = await randomRevisions(revisionCount, rand);
  const newest = shas[shas.length - 1] as string;
  const t = await store.newDb("chaos_concurrent");
  const env = { MONGODB_URI: t.dbUri, SCHEDSYNC_LEASE_MS: String(LEASE_MS) };
  const queue = shuffled(shas, rand);
  const counts = { applied: 0, inSync: 0, skipped: 0, refused: 0, failed: 0 };
  const errors: string[] = [];
  try {
    const started = Date.now();
    // Each "process slot" runs one apply after another from the shared shuffled queue.
    const slot = async () => {
      for (let sha = queue.shift(); sha; sha = queue.shift()) {
        const r = await runCliChild(
          ["apply", "--repo", repo.dir, "--ref", sha, "--allow-mass-delete", "--json"],
          env,
        );
        // A skipped (older) revision exits 1 but still prints its result, outcome "skipped".
        const outcome = r.code === 0 || r.code === 1 ? outcomeOf(r.stdout) : "";
        trace(`apply ${sha.slice(0, 8)} (#${shas.indexOf(sha)}): exit ${r.code} ${outcome}`);
        if (outcome === "applied") counts.applied++;
        else if (outcome === "in-sync") counts.inSync++;
        else if (outcome === "skipped") counts.skipped++;
        else if (/refus|invalid/i.test(r.stderr + r.stdout)) counts.refused++;
        else {
          counts.failed++;
          errors.push(`apply ${sha.slice(0, 12)} exited ${r.code}: ${r.stderr.slice(0, 300)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: processes }, slot));
    const wallMs = Date.now() - started;
    const cmp = await compareWithRevision(t.db, repo.dir, newest);
    const history = await interleavedApplies(t.db);
    out.figure("revisions", revisionCount);
    out.figure("apply processes at once", processes);
    out.figure("applies applied", counts.applied);
    out.figure("applies in sync", counts.inSync);
    out.figure("applies skipped (older than applied)", counts.skipped);
    out.figure("applies refused", counts.refused);
    out.figure("applies failed", counts.failed);
    out.figure("locked history entries", history.locked);
    out.figure("interleaved applies", history.interleaved);
    out.figure("jobs in the newest revision", cmp.desired);
    out.figure("wall time (s)", wallMs / 1000);
    for (const e of errors) out.goal(false, e);
    for (const f of comparisonFailures(cmp, newest)) out.goal(false, f);
    out.goal(
      history.interleaved === 0,
      `${history.interleaved} applies started before the previous finished`,
    );
    out.goal(
      history.locked === revisionCount - counts.refused - counts.failed,
      `${history.locked} locked history entries for ${revisionCount} applies`,
    );
  } finally {
    await t.close();
    await repo.remove();
    await store.close();
  }
  return out.result();
}

function outcomeOf(stdout: string): string {
  try {
    return String((JSON.parse(stdout) as { outcome?: unknown }).outcome ?? "");
  } catch {
    return "";
  }
}
