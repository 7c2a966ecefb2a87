// simulate benchmark: `schedsync simulate --days 7` as a whole process over a generated schedules repo
// of N merchants × 3 carts (bench/lib/schedules-repo.ts; BENCH_MERCHANTS, default 10,000), side by side
// with `schedsync validate` over the same repo (the load alone, the floor) and, in process on the same
// model, the old run-by-run count (nextRunAfter once per run) against simulate() on the first 500
// merchants.
// Run: npm run build && npm run bench -- simulate
import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { loadSchedules } from "../src/config/load.js";
import type { BlackoutWindow, Frequency, ScheduleModel } from "../src/schedule/model.js";
import { nextRunAfter } from "../src/schedule/next-runs.js";
import { resolvePhase, serviceKey } from "../src/schedule/phase.js";
import { simulate } from "../src/schedule/simulate.js";
import { generateRepo } from "./lib/schedules-repo.js";

const FROM = "2026-03-02T00:00:00Z"; // a week that crosses no DST change in the generated zones
const DAYS = 7;
const SAMPLE = 500;
const CLI = join(import.meta.dirname, "..", "bin", "schedsync.js");

function wholeProcess(args: string[], cwd: string): number {
  const t = performance.now();
  execFileSync(process.execPath, [CLI, ...args], { cwd, stdio: "ignore" });
  return performance.now() - t;
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
  const dir = await generateRepo(merchants, 3);
  try {
    const sim = wholeProcess(["simulate", "--days", String(DAYS), "--from", FROM, "--dir", "schedules"], dir);
    const validate = wholeProcess(["validate", "schedules"], dir);
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
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    return {
      name: `simulate (${merchants.toLocaleString("en")} merchants × 3 carts, ${DAYS} days, ${runs.toLocaleString("en")} runs)`,
      lines: [
        `whole process: schedsync simulate --days ${DAYS} ${s(sim)} · schedsync validate ${s(validate)} (load alone) · simulate/validate ${(sim / validate).toFixed(2)}×`,
        `in process, counting only: simulate() ${s(whole)} for all`,
        `with two Defaults blackout windows on every job (${heldRuns.toLocaleString("en")} runs): simulate() ${s(held)} · ${(held / base).toFixed(2)}× the time without (${s(base)}, warm)`,
        `first ${SAMPLE} merchants (${oldRuns.toLocaleString("en")} runs): simulate() ${s(fast)} · run by run (old way) ${s(old)} · ${(old / fast).toFixed(0)}× faster`,
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
