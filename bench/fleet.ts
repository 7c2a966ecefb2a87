// Fleet benchmark: N merchants × 3 carts of periodic pulls (every 1–5 min) and Automatic pushes,
// run by 1, 2 and 4 worker processes against a local HTTP hub with a per-request latency, beside
// bare Agenda dispatching the same jobs with no-op handlers on the same store (the ceiling).
// Aligned: `every` on the clock (`offset: 0m`, the default). Spread: `every` with `offset: H`, the
// product's load spreading (docs/schedules.md): each job's phase is drawn from its key by desiredJobs.
// Run: nice -n 10 npm run bench -- fleet
//   BENCH_MERCHANTS (2000), BENCH_MINUTES (5), BENCH_LATENCY_MS (50), BENCH_ORDER_RATE (orders/s, 10),
//   BENCH_CONCURRENCY (runs at once per worker process, the worker's --concurrency: 10),
//   BENCH_REFILL (0: a worker locks new jobs only on its poll, as Agenda alone does; src/jobs/refill.ts),
//   BENCH_PROCESS_EVERY (Agenda's poll interval in ms, 1000), BENCH_GATE_POLLS (0: Agenda's per-name polls),
//   BENCH_PUSH_PATH (0: skip the push-path count),
//   BENCH_SCENARIOS (comma list of aligned-1, spread-1, spread-2, spread-4, bare-aligned-1, bare-spread-1)
// Store: MONGODB_URI, else an embedded FerretDB in a temp data dir.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { CronExpressionParser } from "cron-parser";
import { type Db, MongoClient, ObjectId } from "mongodb";
import { jobIdHex, newJobDocument, TRIGGER_JOB } from "../src/jobs/document.js";
import { ensureJobIndexes } from "../src/jobs/repository.js";
import type { DesiredJob } from "../src/jobs/types.js";
import { desiredJobs } from "../src/reconcile/desired.js";
import { nextRunAfter } from "../src/schedule/index.js";
import type { ConnectionSpec, Frequency } from "../src/schedule/model.js";
import { DEFAULT_AUTOMATIC_MAX_BATCH, DEFAULT_AUTOMATIC_WINDOW_MS } from "../src/schedule/model.js";
import { startEmbedded } from "../src/store/embedded.js";
import { startFakeHub } from "../test/helpers/fake-hub-server.js";
import { auto, cart, merchant } from "../test/helpers/worker-jobs.js";
import { recordsPath } from "./fleet-records.js";
import { commandsPerRun } from "./fleet-runs.js";
import { cliArgs } from "./lib/tsx.js";

const MERCHANTS = Number(process.env.BENCH_MERCHANTS ?? 2_000);
const CARTS = 3;
const MINUTES = Number(process.env.BENCH_MINUTES ?? 5);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const ORDER_RATE = Number(process.env.BENCH_ORDER_RATE ?? 10);
/** Runs at once per worker process (schedsync's --concurrency; bare Agenda's maxConcurrency). */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
/** Agenda's poll interval in every worker (each poll is one lock query per job name). */
const PROCESS_EVERY = Number(process.env.BENCH_PROCESS_EVERY ?? 1_000);
/** 0: schedsync workers poll as Agenda does, one lock query per name (RuntimeOptions.gatePolls). */
const GATE_POLLS = process.env.BENCH_GATE_POLLS !== "0";
/** 0: no refill when a run ends (RuntimeOptions.refill). */
const REFILL = process.env.BENCH_REFILL !== "0";
const SCENARIOS = (
  process.env.BENCH_SCENARIOS ?? "aligned-1,spread-1,spread-2,spread-4,bare-aligned-1,bare-spread-1"
)
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const TOKEN = "bench-token";
/** Scheduled runs a second the fleet asks for: each merchant's 5 pulls run every 1, 2, 3, 4 and 5 min. */
const OFFERED_PER_SEC = (MERCHANTS * (1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5)) / 60;

const progress = (msg: string) =>
  process.stderr.write(`[fleet] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const hashOf = (s: string) => createHash("sha256").update(s).digest().readUInt32BE(0);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const every = (min: number, spread: boolean): Frequency => ({
  kind: "every",
  ms: min * 60_000,
  text: `${min}m`,
  offset: spread ? "H" : 0,
});

interface Scenario {
  name: string;
  spread: boolean;
  workers: number;
  bare: boolean;
}

function parseScenario(name: string): Scenario {
  const m = /^(bare-)?(aligned|spread)-(\d)$/.exec(name);
  if (!m) throw new Error(`bad scenario ${name}`);
  return { name, bare: !!m[1], spread: m[2] === "spread", workers: Number(m[3]) };
}

/** The fleet: pulls every 1–5 min (by merchant and cart), Automatic pushes, http connections. */
export function fleetJobs(
  hub: { cartUrl(id: string): string; wmsUrl: string },
  spread: boolean,
): DesiredJob[] {
  const http = (baseUrl: string): ConnectionSpec => ({ type: "http", baseUrl, tokenEnv: "BENCH_HUB_TOKEN" });
  const push = auto(DEFAULT_AUTOMATIC_WINDOW_MS, DEFAULT_AUTOMATIC_MAX_BATCH);
  const models = Array.from({ length: MERCHANTS }, (_, i) => {
    const id = `m${i}`;
    const carts = Array.from({ length: CARTS }, (_, c) =>
      cart(
        `c${c}`,
        id,
        { orderDownload: every(1 + ((i + c) % 5), spread), shipmentUpload: push, inventoryUpload: push },
        http(hub.cartUrl(`${id}-c${c}`)),
      ),
    );
    return merchant(
      id,
      carts,
      {
        orderDelivery: push,
        shippingConfirmations: every(1 + ((i + 3) % 5), spread),
        inventory: every(1 + ((i + 4) % 5), spread),
      },
      http(hub.wmsUrl),
    );
  });
  return desiredJobs({ merchants: models, documents: models.length });
}

export async function seed(db: Db, jobs: DesiredJob[]): Promise<void> {
  const now = new Date();
  const docs = jobs.map((j) => {
    const { repeatInterval } = j;
    let nextRunAt: Date | null = null;
    if (j.schedule.kind === "every" && typeof repeatInterval === "string")
      nextRunAt = CronExpressionParser.parse(repeatInterval, { currentDate: now, tz: "UTC" }).next().toDate();
    else if (j.schedule.kind !== "automatic") nextRunAt = nextRunAfter(j.schedule, j.timezone, now);
    return {
      _id: new ObjectId(jobIdHex(j.key)),
      ...newJobDocument(j, "bench"),
      repeatInterval,
      nextRunAt,
      lockedAt: null,
    };
  });
  for (let i = 0; i < docs.length; i += 1_000)
    await db.collection("agendaJobs").insertMany(docs.slice(i, i + 1_000));
  // The same job indexes for schedsync and bare Agenda: the runs compare dispatch code, not indexes.
  await ensureJobIndexes(db);
}

interface ChildStats {
  runs: number;
  commands: number;
  written: number;
  rss: number;
}

function startChild(uri: string, dbName: string, bare: boolean, lags: Lag[]) {
  const child: ChildProcess = spawn(
    process.execPath,
    cliArgs(join(import.meta.dirname, "fleet-worker.ts"), [
      uri,
      dbName,
      bare ? "bare" : "schedsync",
      JSON.stringify({
        processEvery: PROCESS_EVERY,
        gatePolls: GATE_POLLS,
        concurrency: CONCURRENCY,
        refill: REFILL,
      }),
    ]),
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, BENCH_HUB_TOKEN: TOKEN } },
  );
  const stats: ChildStats = { runs: 0, commands: 0, written: 0, rss: 0 };
  let maxRss = 0;
  const ready = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const m = JSON.parse(line) as { ev: string; name?: string } & Record<string, number>;
      if (m.ev === "ready") resolve();
      else if (m.ev === "run")
        lags.push({ name: m.name ?? "", start: m.start ?? 0, lag: (m.start ?? 0) - (m.due ?? 0) });
      else if (m.ev === "stats") {
        Object.assign(stats, m);
        maxRss = Math.max(maxRss, m.rss ?? 0);
      }
    });
  });
  const stop = async () => {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(30_000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  return { ready, stop, stats, maxRss: () => maxRss };
}

/** One scheduled run: its job name, start (ms since the epoch) and start − due time (ms). */
interface Lag {
  name: string;
  start: number;
  lag: number;
}

interface Result {
  name: string;
  lines: string[];
  runsPerSec: number;
  /** Scheduled runs started a second (bare Agenda runs no triggered pushes, so this is the dispatch rate compared). */
  scheduledPerSec: number;
  p95: number;
  delivered: number;
}

async function runScenario(uri: string, sc: Scenario): Promise<Result> {
  const hub = await startFakeHub({ token: TOKEN, autoShip: true, latencyMs: LATENCY_MS });
  const client = await MongoClient.connect(uri);
  const dbName = `fleet_${sc.name.replace(/-/g, "_")}_${randomBytes(3).toString("hex")}`;
  const db = client.db(dbName);
  const jobs = fleetJobs(hub, sc.spread);
  const cartIds = jobs.filter((j) => j.service === "orderDownload").map((j) => `${j.merchantId}-${j.cartId}`);
  const lags: Lag[] = [];
  const children: ReturnType<typeof startChild>[] = [];
  try {
    progress(`${sc.name}: seeding ${jobs.length} jobs`);
    await seed(db, jobs);
    for (let i = 0; i < sc.workers; i++) children.push(startChild(uri, dbName, sc.bare, lags));
    await Promise.all(children.map((c) => c.ready));
    const t0 = Date.now();
    const end = t0 + MINUTES * 60_000;
    progress(`${sc.name}: ${sc.workers} worker(s) running for ${MINUTES} min`);
    let n = 0;
    for (let tick = 0; Date.now() < end; tick++) {
      const due = t0 + tick * 100;
      if (due > Date.now()) await sleep(due - Date.now());
      if (sc.bare) continue;
      const count = Math.floor(((tick + 1) * ORDER_RATE) / 10) - Math.floor((tick * ORDER_RATE) / 10);
      for (let k = 0; k < count; k++) {
        const cartId = cartIds[hashOf(`o${n}`) % cartIds.length] as string;
        hub.cart(cartId).addOrders([
          {
            externalId: `o${n++}`,
            cartId,
            lines: [{ sku: `S${n % 50}`, qty: 1 }],
            shipTo: { name: "Bench", line1: "1 Road", city: "Lyon", country: "FR" },
            placedAt: new Date().toISOString(),
          },
        ]);
      }
    }
    await Promise.all(children.map((c) => c.stop()));
    const delivered = sc.bare
      ? []
      : (
          await db
            .collection("deliveries")
            .find({ state: "delivered" }, { projection: { deliveredAt: 1 } })
            .toArray()
        )
          .map((d) => (d.deliveredAt as Date).getTime())
          .filter((t) => t >= t0 && t < end);
    const backlog = sc.bare ? undefined : await recordBacklog(db, n);
    return report(sc, t0, lags, delivered, children, backlog);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await hub.close();
    await db.dropDatabase().catch(() => {});
    await client.close();
  }
}

function byName(lags: Lag[]): string {
  const counts = new Map<string, number>();
  for (const l of lags) counts.set(l.name, (counts.get(l.name) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name.replace(/^schedsync:/, "")} ${n}`).join(", ");
}

/** Where the records are at the end: orders offered, pulled into the store, deliveries by state, triggers queued. */
async function recordBacklog(db: Db, offered: number): Promise<string> {
  const pulled = await db.collection("orders").countDocuments({});
  const states = await db
    .collection("deliveries")
    .aggregate<{ _id: string; n: number }>([{ $group: { _id: "$state", n: { $sum: 1 } } }])
    .toArray();
  const triggers = await db.collection("agendaJobs").countDocuments({ name: TRIGGER_JOB });
  const byState = states.map((x) => `${x._id} ${x.n}`).join(", ") || "none";
  return `  records at the end: ${offered} orders placed, ${pulled} pulled; deliveries ${byState}; ${triggers} push triggers queued`;
}

function report(
  sc: Scenario,
  t0: number,
  lags: Lag[],
  delivered: number[],
  children: ReturnType<typeof startChild>[],
  backlog?: string,
): Result {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const lines: string[] = [];
  const minuteStats: number[] = [];
  for (let m = 0; m < MINUTES; m++) {
    const inMin = lags
      .filter((l) => l.start >= t0 + m * 60_000 && l.start < t0 + (m + 1) * 60_000)
      .map((l) => l.lag);
    inMin.sort((a, b) => a - b);
    const rec = delivered.filter((t) => t >= t0 + m * 60_000 && t < t0 + (m + 1) * 60_000).length;
    minuteStats.push(pct(inMin, 95));
    lines.push(
      `  min ${m + 1}: ${inMin.length} scheduled runs, lag p50 ${s(pct(inMin, 50))} p95 ${s(pct(inMin, 95))} max ${s(inMin[inMin.length - 1] ?? 0)}; ${rec} records delivered`,
    );
  }
  const all = lags.map((l) => l.lag).sort((a, b) => a - b);
  const secs = MINUTES * 60;
  const runs = children.reduce((a, c) => a + c.stats.runs, 0);
  const commands = children.reduce((a, c) => a + c.stats.commands, 0);
  const written = children.reduce((a, c) => a + c.stats.written, 0);
  const rss = children.map((c) => Math.round(c.maxRss() / 2 ** 20));
  // Growing: the last minute's p95 is over 1.5× the first minute's and more than 5 s above it.
  const first = minuteStats[0] ?? 0;
  const last = minuteStats.at(-1) ?? 0;
  const grows = minuteStats.length >= 2 && last > 1.5 * first && last - first > 5_000;
  const perRecord = delivered.length
    ? `${(commands / delivered.length).toFixed(1)} commands and ${(written / delivered.length).toFixed(1)} documents written per delivered record`
    : "no records delivered";
  // The lag of started runs cannot show the runs that never started: served ÷ offered does.
  const served = all.length / secs / OFFERED_PER_SEC;
  const verdict = grows || served < 0.95 ? "BEHIND" : "on time";
  lines.unshift(
    `${sc.name}: ${sc.bare ? "bare Agenda, no-op handlers" : "schedsync workers"}, ${sc.spread ? "spread" : "aligned"}, ${sc.workers} process(es)`,
    `  ${verdict}: ${(all.length / secs).toFixed(1)} scheduled runs/s of ${OFFERED_PER_SEC.toFixed(1)} offered (${served.toFixed(2)}×); lag p95 by minute ${grows ? "grows" : "steady"}`,
    `  overall: ${all.length} scheduled runs, lag p50 ${s(pct(all, 50))} p95 ${s(pct(all, 95))} max ${s(all.at(-1) ?? 0)} (${grows ? "GROWS" : "steady"}); ` +
      `${(runs / secs).toFixed(1)} runs/s (all jobs); ${(delivered.length / secs).toFixed(1)} records/s delivered`,
    `  store: ${(commands / secs).toFixed(0)} commands/s; ${perRecord}; worker peak RSS ${rss.join(" / ")} MiB`,
    `  scheduled runs by name: ${byName(lags)}`,
    ...(backlog ? [backlog] : []),
  );
  return {
    name: sc.name,
    lines,
    runsPerSec: runs / secs,
    scheduledPerSec: all.length / secs,
    p95: pct(all, 95),
    delivered: delivered.length,
  };
}

export async function benchFleet(): Promise<{ name: string; lines: string[] }> {
  const scenarios = SCENARIOS.map(parseScenario);
  let dataDir: string | undefined;
  let release: (() => Promise<void>) | undefined;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    dataDir = await mkdtemp(join(tmpdir(), "schedsync-bench-fleet-"));
    const server = await startEmbedded({ dataDir, lingerMs: 0 });
    uri = server.uri;
    release = server.release;
  }
  const lines = [
    `${MERCHANTS} merchants × ${CARTS} carts (${MERCHANTS * 13} jobs), ${MINUTES} min per scenario, hub latency ${LATENCY_MS} ms, ` +
      `concurrency ${CONCURRENCY} per worker, ${ORDER_RATE} orders/s, poll every ${PROCESS_EVERY} ms, refill ${REFILL ? "on" : "off"}, store ${process.env.MONGODB_URI ? "MONGODB_URI" : "embedded FerretDB"}`,
  ];
  try {
    progress("commands per scheduled run");
    lines.push(...(await commandsPerRun(uri)));
    for (const l of lines.slice(-4)) progress(l);
    if (process.env.BENCH_PUSH_PATH !== "0") {
      progress("push path");
      lines.push(...(await recordsPath(uri)));
    }
    const results: Result[] = [];
    for (const sc of scenarios) {
      const r = await runScenario(uri, sc);
      results.push(r);
      for (const l of r.lines) progress(l);
      lines.push(...r.lines);
    }
    lines.push(...ratios(results));
  } finally {
    await release?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
  return { name: "fleet", lines };
}

function ratios(results: Result[]): string[] {
  const get = (n: string) => results.find((r) => r.name === n);
  const out: string[] = ["ratios:"];
  const pair = (label: string, a?: Result, b?: Result, f = (r: Result) => r.runsPerSec) => {
    if (a && b && f(b) > 0) out.push(`  ${label}: ${(f(a) / f(b)).toFixed(2)}×`);
  };
  const scheduled = (r: Result) => r.scheduledPerSec;
  pair("spread-1 scheduled runs/s ÷ bare-spread-1", get("spread-1"), get("bare-spread-1"), scheduled);
  pair("aligned-1 scheduled runs/s ÷ bare-aligned-1", get("aligned-1"), get("bare-aligned-1"), scheduled);
  pair("spread-2 ÷ spread-1 scheduled runs/s", get("spread-2"), get("spread-1"), scheduled);
  pair("spread-4 ÷ spread-1 scheduled runs/s", get("spread-4"), get("spread-1"), scheduled);
  pair("spread-2 ÷ spread-1 records/s", get("spread-2"), get("spread-1"), (r) => r.delivered);
  pair("spread-4 ÷ spread-1 records/s", get("spread-4"), get("spread-1"), (r) => r.delivered);
  pair("spread-2 ÷ spread-1 runs/s (all jobs)", get("spread-2"), get("spread-1"));
  pair("spread-4 ÷ spread-1 runs/s (all jobs)", get("spread-4"), get("spread-1"));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchFleet();
  for (const l of r.lines) console.log(l);
}
