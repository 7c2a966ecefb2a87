// simulate benchmark: `schedsync simulate --days 7` as a whole process over a generated schedules repo
// of N merchants × 3 carts (bench/lib/schedules-repo.ts; BENCH_MERCHANTS, default 10,000), side by side
// with `schedsync validate` over the same repo (the load alone, the floor), each 3 times alternating,
// wall and CPU time (user + system, all threads); with BENCH_BASELINE=<another checkout, built> the
// same two commands of that checkout alternate with these (before/after in one run). Then: the load
// on worker threads against one thread at several repo sizes (where parallel parsing pays off), and
// in process on the same model, the old run-by-run count (nextRunAfter once per run) against
// simulate() on the first 500 merchants.
// Run: npm run build && npm run bench -- simulate
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { loadSchedules } from "../src/config/load.js";
import type { BlackoutWindow, Frequency, ScheduleModel } from "../src/schedule/model.js";
import { nextRunAfter } from "../src/schedule/next-runs.js";
import { resolvePhase, serviceKey } from "../src/schedule/phase.js";
import { simulate } from "../src/schedule/simulate.js";
import { generateRepo, merchantYaml } from "./lib/schedules-repo.js";

const FROM = "2026-03-02T00:00:00Z";
const DAYS = 7;
const SAMPLE = 500;
const RUNS = 3;
const REPO = join(import.meta.dirname, "..");
const CPU_REPORT = join(REPO, "bench", "lib", "cpu-report.mjs");
const LOAD_CHILD = join(REPO, "bench", "lib", "load-child.mjs");

interface Timed {
  wall: number;
  cpu: number;
}

/** One whole process (node --import cpu-report ...args in cwd): wall and CPU time, ms. */
async function wholeProcess(args: string[], cwd: string, cpuFile: string): Promise<Timed> {
  await writeFile(cpuFile, "");
  const t = performance.now();
  const r = spawnSync(process.execPath, ["--import", CPU_REPORT, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, BENCH_CPU_FILE: cpuFile },
  });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number((await readFile(cpuFile, "utf8")).trim()) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const medians = (runs: Timed[]): Timed => ({
  wall: median(runs.map((r) => r.wall)),
  cpu: median(runs.map((r) => r.cpu)),
});
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const show = (t: Timed) => `${sec(t.wall)} wall / ${sec(t.cpu)} CPU`;

/** The commands of one checkout's CLI, timed RUNS times each, alternating with the other checkouts'. */
async function commands(checkouts: string[], dir: string, cpuFile: string): Promise<Map<string, Timed>> {
  const cmds: Record<string, string[]> = {
    simulate: ["simulate", "--days", String(DAYS), "--from", FROM, "--dir", "schedules"],
    validate: ["validate", "schedules"],
  };
  const runs = new Map<string, Timed[]>();
  for (let i = 0; i < RUNS; i++)
    for (const [name, args] of Object.entries(cmds))
      for (const checkout of checkouts) {
        const key = `${checkout}\0${name}`;
        const t = await wholeProcess([join(checkout, "bin", "schedsync.js"), ...args], dir, cpuFile);
        runs.set(key, [...(runs.get(key) ?? []), t]);
      }
  return new Map([...runs].map(([k, v]) => [k, medians(v)]));
}

// Worker threads as schedsync starts them above its size threshold (parallel-read.ts).
const THREADS = Math.min(availableParallelism(), 4);

/** Load of n merchants' files on one thread and on THREADS, each in a fresh process, medians of RUNS. */
async function loads(sizes: number[], cpuFile: string): Promise<string[]> {
  const lines: string[] = [];
  for (const n of sizes) {
    const root = await mkdtemp(join(tmpdir(), "schedsync-bench-load-"));
    try {
      await mkdir(join(root, "schedules"));
      for (let i = 0; i < n; i++) await writeFile(join(root, "schedules", `m${i}.yaml`), merchantYaml(i, 3));
      const serial: Timed[] = [];
      const parallel: Timed[] = [];
      for (let i = 0; i < RUNS; i++) {
        serial.push(await wholeProcess([LOAD_CHILD, root, "1"], REPO, cpuFile));
        parallel.push(await wholeProcess([LOAD_CHILD, root, String(THREADS)], REPO, cpuFile));
      }
      const [s, p] = [medians(serial), medians(parallel)];
      lines.push(
        `${n.toLocaleString("en")} files: one thread ${show(s)} · ${THREADS} worker threads ${show(p)} · ratio wall ${(p.wall / s.wall).toFixed(2)}×, CPU ${(p.cpu / s.cpu).toFixed(2)}×`,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  return lines;
}

/** The way simulate counted before: every run of every job computed one by one. */
function runByRun(model: ScheduleModel, from: Date): number {
  const end = from.getTime() + DAYS * 86_400_000;
  let runs = 0;
  const count = (freq: Frequency, tz: string, key: string) => {
    if (freq.kind === "off" || freq.kind === "automatic") return;
    const f = resolvePhase(freq, key);
    for (let at = nextRunAfter(f, tz, from); at && at.getTime() < end; at = nextRunAfter(f, tz, at)) runs++;
  };
  for (const m of model.merchants) {
    for (const [s, f] of Object.entries(m.services)) count(f, m.timezone, serviceKey(m.id, null, s));
    for (const c of m.carts)
      for (const [s, f] of Object.entries(c.services)) count(f, m.timezone, serviceKey(m.id, c.id, s));
  }
  return runs;
}

/** The model with two windows on every merchant and cart, as a Defaults document would give them. */
function withWindows(model: ScheduleModel): ScheduleModel {
  const windows: BlackoutWindow[] = [
    {
      kind: "cron",
      cron: "0 2 * * 0",
      duration: "2h",
      durationMs: 7_200_000,
      reason: null,
      services: null,
      owner: "defaults",
    },
    { kind: "daily", from: "23:00", to: "01:00", reason: null, services: null, owner: "defaults" },
  ];
  return {
    ...model,
    merchants: model.merchants.map((m) => ({
      ...m,
      blackout: windows,
      carts: m.carts.map((c) => ({ ...c, blackout: windows })),
    })),
  };
}

export async function benchSimulate(): Promise<{ name: string; lines: string[] }> {
  const merchants = Number(process.env.BENCH_MERCHANTS ?? 10_000);
  const baseline = process.env.BENCH_BASELINE;
  const dir = await generateRepo(merchants, 3);
  const cpuFile = join(dir, "..", `${dir.split("/").pop()}-cpu.txt`);
  try {
    const checkouts = baseline ? [REPO, baseline] : [REPO];
    const timed = await commands(checkouts, dir, cpuFile);
    const get = (checkout: string, cmd: string) => timed.get(`${checkout}\0${cmd}`) as Timed;
    const sim = get(REPO, "simulate");
    const validate = get(REPO, "validate");
    const lines = [
      `whole process, median of ${RUNS} alternating runs: schedsync simulate --days ${DAYS} ${show(sim)} · schedsync validate ${show(validate)} (load alone)`,
    ];
    if (baseline) {
      const bs = get(baseline, "simulate");
      const bv = get(baseline, "validate");
      lines.push(
        `baseline ${baseline}: simulate ${show(bs)} · validate ${show(bv)}`,
        `this ÷ baseline: simulate ${(sim.wall / bs.wall).toFixed(2)}× wall, ${(sim.cpu / bs.cpu).toFixed(2)}× CPU · validate ${(validate.wall / bv.wall).toFixed(2)}× wall, ${(validate.cpu / bv.cpu).toFixed(2)}× CPU`,
      );
    }
    const sizes = (process.env.BENCH_LOAD_SIZES ?? "100,300,1000,3000")
      .split(",")
      .map(Number)
      .filter((n) => n > 0);
    lines.push(`loading, one thread against ${THREADS} worker threads, fresh process each:`);
    lines.push(...(await loads(sizes, cpuFile)).map((l) => `  ${l}`));
    const loaded = await loadSchedules({ rootDir: dir });
    if (!loaded.ok) throw new Error("generated schedules are invalid");
    const from = new Date(FROM);
    let t = performance.now();
    const runs = simulate(loaded.model, { days: DAYS, from }).totals.reduce((a, b) => a + b, 0);
    const whole = performance.now() - t;
    // Blackout windows on every job (two Defaults windows) against none, in the same run.
    const windowed = withWindows(loaded.model);
    t = performance.now();
    const heldRuns = simulate(windowed, { days: DAYS, from }).totals.reduce((a, b) => a + b, 0);
    const held = performance.now() - t;
    // The baseline again, warm as the windowed run was: the ratio is against the faster of the two.
    t = performance.now();
    simulate(loaded.model, { days: DAYS, from });
    const base = Math.min(whole, performance.now() - t);
    // The old way takes minutes at this size: both ways on the first SAMPLE merchants.
    const sample = { ...loaded.model, merchants: loaded.model.merchants.slice(0, SAMPLE) };
    t = performance.now();
    simulate(sample, { days: DAYS, from });
    const fast = performance.now() - t;
    t = performance.now();
    const oldRuns = runByRun(sample, from);
    const old = performance.now() - t;
    lines.push(
      `in process, counting only: simulate() ${sec(whole)} for all`,
      `with two Defaults blackout windows on every job (${heldRuns.toLocaleString("en")} runs): simulate() ${sec(held)} · ${(held / base).toFixed(2)}× the time without (${sec(base)}, warm)`,
      `first ${SAMPLE} merchants (${oldRuns.toLocaleString("en")} runs): simulate() ${sec(fast)} · run by run (old way) ${sec(old)} · ${(old / fast).toFixed(0)}× faster`,
    );
    return {
      name: `simulate (${merchants.toLocaleString("en")} merchants × 3 carts, ${DAYS} days, ${runs.toLocaleString("en")} runs)`,
      lines,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(cpuFile, { force: true });
  }
}
