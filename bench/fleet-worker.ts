// One worker process of the fleet benchmark (bench/fleet.ts):
//   tsx bench/fleet-worker.ts <uri> <dbName> <schedsync|bare> <options-json>
// schedsync: createWorker with the http connector. bare: a plain Agenda with no-op handlers for the
// same job names (no schedsync code in the dispatch path). Both count every store command with the
// driver's command monitoring and print JSON lines on stdout: one per scheduled run started
// ({ ev: "run", name, due, start }) and a running total every second ({ ev: "stats", … }).
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda, type Job } from "agenda";
import { CronExpressionParser } from "cron-parser";
import { MongoClient } from "mongodb";
import { createConnectorFactory } from "../src/connectors/index.js";
import { JOB_PREFIX, TRIGGER_JOB } from "../src/jobs/document.js";
import { ALL_SERVICES, createWorker } from "../src/runtime/worker.js";

const [uri, dbName, mode, json] = process.argv.slice(2);
if (!uri || !dbName || (mode !== "schedsync" && mode !== "bare")) {
  throw new Error("usage: fleet-worker <uri> <dbName> <schedsync|bare> [options-json]");
}
const opts = JSON.parse(json ?? "{}") as {
  concurrency?: number;
  lockLimit?: number;
  processEvery?: number;
  gatePolls?: boolean;
  refill?: boolean;
};
const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

const client = new MongoClient(uri, { monitorCommands: true, appName: `fleet-${mode}` });
let commands = 0;
let written = 0;
const WRITES = new Set(["insert", "update", "delete", "findAndModify"]);
const pending = new Map<number, string>();
// BENCH_PROFILE=1: store time by command and collection, printed to stderr at exit.
const profile = new Map<string, { n: number; ms: number }>();
const what = new Map<number, string>();
/** A command's filter and sort keys, for the profile (values left out: one line per query shape). */
function shape(cmd: Record<string, unknown>): string {
  const keys = (o: unknown) => (o && typeof o === "object" ? Object.keys(o).join(",") : "");
  const filter = cmd.filter ?? cmd.query ?? (cmd.updates as { q?: unknown }[] | undefined)?.[0]?.q;
  return `{${keys(filter)}}${cmd.sort ? ` sort {${keys(cmd.sort)}}` : ""}`;
}
client.on("commandStarted", (e) => {
  commands++;
  if (process.env.BENCH_PROFILE)
    what.set(e.requestId, `${e.commandName} ${String(e.command[e.commandName])} ${shape(e.command)}`);
  if (WRITES.has(e.commandName)) pending.set(e.requestId, e.commandName);
});
client.on("commandSucceeded", (e) => {
  const w = what.get(e.requestId);
  if (w) {
    what.delete(e.requestId);
    const p = profile.get(w) ?? { n: 0, ms: 0 };
    p.n++;
    p.ms += e.duration;
    profile.set(w, p);
  }
  const name = pending.get(e.requestId);
  if (!name) return;
  pending.delete(e.requestId);
  const r = e.reply as { n?: number; nModified?: number; upserted?: unknown[]; value?: unknown };
  if (name === "update") written += (r.nModified ?? 0) + (r.upserted?.length ?? 0);
  else if (name === "findAndModify") written += r.value ? 1 : 0;
  else written += r.n ?? 0;
});
client.on("commandFailed", (e) => pending.delete(e.requestId));
await client.connect();
const db = client.db(dbName);

/** The due time of a cron job's run: the last occurrence at or before its start. */
function dueOf(job: Job): number | undefined {
  const { repeatInterval, repeatTimezone, lastRunAt } = job.attrs;
  if (typeof repeatInterval !== "string" || !lastRunAt) return undefined;
  const start = new Date(lastRunAt.getTime() + 1);
  const expr = CronExpressionParser.parse(repeatInterval, {
    currentDate: start,
    tz: repeatTimezone ?? "UTC",
  });
  return expr.prev().getTime();
}

let agenda: Agenda;
let stop: () => Promise<void>;
if (mode === "schedsync") {
  const worker = createWorker(db, {
    connectors: createConnectorFactory(),
    owner: `fleet-${process.pid}`,
    hooks: { observeAutomaticLatency: () => {}, countTransmission: () => {} },
    ...opts,
  });
  agenda = worker.agenda;
  await worker.start();
  stop = () => worker.stop(10_000);
} else {
  const concurrency = opts.concurrency ?? 10;
  agenda = new Agenda({
    backend: new MongoBackend({ mongo: db, collection: "agendaJobs" }),
    name: `bare-${process.pid}`,
    processEvery: opts.processEvery ?? 1_000,
    maxConcurrency: concurrency,
    defaultConcurrency: concurrency,
    ...(opts.lockLimit ? { lockLimit: opts.lockLimit } : {}),
  });
  for (const s of ALL_SERVICES) agenda.define(`${JOB_PREFIX}${s}`, async () => {});
  agenda.define(TRIGGER_JOB, async () => {}, { removeOnComplete: true });
  await agenda.start();
  stop = () => agenda.stop(false);
}

let runs = 0;
agenda.on("start", (job: Job) => {
  runs++;
  const due = dueOf(job);
  if (due !== undefined) out({ ev: "run", name: job.attrs.name, due, start: job.attrs.lastRunAt?.getTime() });
});
const stats = () => out({ ev: "stats", runs, commands, written, rss: process.memoryUsage().rss });
const timer = setInterval(stats, 1_000);
out({ ev: "ready" });
process.once("SIGTERM", async () => {
  clearInterval(timer);
  await stop().catch(() => {});
  stats();
  const top = [...profile.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
  for (const [k, v] of top)
    process.stderr.write(
      `[profile ${process.pid}] ${k}: ${v.n} × ${(v.ms / v.n).toFixed(1)} ms = ${(v.ms / 1000).toFixed(1)} s\n`,
    );
  await client.close();
  process.exit(0);
});
