// Reconcile benchmark: N merchants × 3 carts in a temp git repo. Full apply and two no-op
// reconciles of the same revision: as `serve` (and `apply --recheck-after 15m`) runs them between
// full comparisons, and with a full comparison of every job (apply's default). Each runs in a
// fresh process, for its peak RSS, side by side with a naive baseline that saves each
// job one at a time through Agenda's own API (create → repeatEvery → unique → save). The baseline
// runs on a sample of the same jobs and is compared per job, since saving all of them one by one
// takes too long to wait for.
// Run: npm run bench -- reconcile   (BENCH_MERCHANTS=10000 by default; MONGODB_URI to use a real MongoDB)
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { promisify } from "node:util";
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import { loadSchedules } from "../src/config/load.js";
import { desiredJobs } from "../src/reconcile/desired.js";
import { readRevision } from "../src/reconcile/source.js";
import { openStore } from "../src/store/index.js";
import { generateRepo } from "./lib/schedules-repo.js";
import { cliArgs } from "./lib/tsx.js";

const run = promisify(execFile);

interface ChildResult {
  ms: number;
  maxRssMiB: number;
  outcome: string;
  compared: boolean;
  summary: Record<string, number>;
}

async function child(repo: string, dbName: string, recheckAfterMs = 0): Promise<ChildResult> {
  const args = [repo, dbName, String(recheckAfterMs)];
  const { stdout } = await run(process.execPath, cliArgs("bench/reconcile-child.ts", args), {
    maxBuffer: 16 << 20,
    env: { ...process.env, CI: "true" },
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as ChildResult;
}

async function naive(repo: string, dbName: string, sample: number): Promise<{ ms: number; jobs: number }> {
  const rev = await readRevision({ repo });
  const loaded = await loadSchedules({ rootDir: ".", files: rev.files });
  if (!loaded.ok) throw new Error("generated schedules are invalid");
  const jobs = desiredJobs(loaded.model).slice(0, sample);
  const store = await openStore({ dbName });
  const agenda = new Agenda({ backend: new MongoBackend({ mongo: store.db }) });
  await agenda.ready;
  const t = performance.now();
  for (const job of jobs) {
    const j = agenda.create(job.name, { schedsync: { key: job.key } });
    if (job.repeatInterval !== null)
      j.repeatEvery(job.repeatInterval, { timezone: job.repeatTimezone ?? undefined });
    j.unique({ "data.schedsync.key": job.key });
    await j.save();
  }
  const ms = performance.now() - t;
  await agenda.stop();
  await store.db.dropDatabase();
  await store.close();
  return { ms, jobs: jobs.length };
}

export async function benchReconcile(): Promise<{ name: string; lines: string[] }> {
  const merchants = Number(process.env.BENCH_MERCHANTS ?? 10_000);
  const sample = Number(process.env.BENCH_NAIVE_SAMPLE ?? 2_000);
  const lines: string[] = [];
  const repo = await generateRepo(merchants, 3);
  const dbName = `bench_reconcile_${process.pid}`;
  try {
    const full = await child(repo, dbName);
    const noop = await child(repo, dbName, 15 * 60_000);
    const compared = await child(repo, dbName);
    const base = await naive(repo, `${dbName}_naive`, sample);
    const jobs = full.summary.create ?? 0;
    const fullPerJob = full.ms / jobs;
    const naivePerJob = base.ms / base.jobs;
    lines.push(
      `${merchants} merchants × 3 carts → ${jobs} jobs`,
      `full apply:  ${(full.ms / 1000).toFixed(1)} s (${(jobs / (full.ms / 1000)).toFixed(0)} jobs/s), peak RSS ${full.maxRssMiB.toFixed(0)} MiB`,
      `no-op (as serve, compared within 15 min): ${(noop.ms / 1000).toFixed(2)} s (outcome ${noop.outcome}, compared ${noop.compared}), peak RSS ${noop.maxRssMiB.toFixed(0)} MiB`,
      `no-op comparing every job:             ${(compared.ms / 1000).toFixed(1)} s (outcome ${compared.outcome}, compared ${compared.compared}), peak RSS ${compared.maxRssMiB.toFixed(0)} MiB`,
      `naive Agenda create→repeatEvery→unique→save, ${base.jobs} jobs: ${(base.ms / 1000).toFixed(1)} s (${(base.jobs / (base.ms / 1000)).toFixed(0)} jobs/s)`,
      `ratio full apply vs naive (per job): ${(naivePerJob / fullPerJob).toFixed(1)}× faster (goal ≥ 20×)`,
      `ratio no-op / full apply: ${((noop.ms / full.ms) * 100).toFixed(1)} % (goal ≤ 5 %); comparing every job: ${((compared.ms / full.ms) * 100).toFixed(1)} %`,
      `peak RSS of apply: ${full.maxRssMiB.toFixed(0)} MiB (goal ≤ 512 MiB)`,
    );
    const store = await openStore({ dbName });
    await store.db.dropDatabase();
    await store.close();
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
  return { name: "reconcile", lines };
}
