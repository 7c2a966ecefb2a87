// Store commands per scheduled run, counted with the driver's command monitoring (a figure that
// does not depend on the machine's load): the same due jobs (empty pulls: the hub has nothing new)
// run once by a schedsync worker and by a bare Agenda with no-op handlers, in one process each.
// Lock queries that found no job (Agenda's per-name polls) and the worker's poll-gate reads are
// counted apart: they cost per poll, not per run.

import { randomBytes } from "node:crypto";
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import { type Db, MongoClient } from "mongodb";
import { JOB_PREFIX, JOBS_COLLECTION, TRIGGER_JOB } from "../src/jobs/document.js";
import { GATE_COMMENT } from "../src/jobs/due-names.js";
import { CURSORS } from "../src/records/index.js";
import { ALL_SERVICES, createWorker } from "../src/runtime/worker.js";
import { EMPTY_CONNECTORS } from "../test/helpers/empty-connectors.js";
import { cart, installJobs, merchant } from "../test/helpers/worker-jobs.js";

const MERCHANTS = 30;
const PULLS = ["orderDownload", "shippingConfirmations", "inventory"];

interface Count {
  runs: number;
  perRun: Map<string, number>;
  polls: number;
}

function counter(client: MongoClient) {
  const c: Count = { runs: 0, perRun: new Map(), polls: 0 };
  const started = new Map<number, string>();
  let on = false;
  client.on("commandStarted", (e) => {
    if (on)
      started.set(
        e.requestId,
        e.command.comment === GATE_COMMENT ? "gate" : `${e.commandName} ${String(e.command[e.commandName])}`,
      );
  });
  client.on("commandSucceeded", (e) => {
    const what = started.get(e.requestId);
    if (!what) return;
    started.delete(e.requestId);
    const reply = e.reply as { value?: unknown };
    const poll = (what === `findAndModify ${JOBS_COLLECTION}` && !reply.value) || what === "gate";
    if (poll) c.polls++;
    else c.perRun.set(what, (c.perRun.get(what) ?? 0) + 1);
  });
  return { c, start: () => (on = true), stop: () => (on = false) };
}

async function seedDue(db: Db): Promise<number> {
  const ms = Array.from({ length: MERCHANTS }, (_, i) => merchant(`m${i}`, [cart("a", `m${i}`)]));
  await installJobs(db, ms);
  // Steady state: every pull has polled before and its cursor is where the hub's empty page leaves it.
  const keys = ms.flatMap((m) => [
    `${m.id}/a/orderDownload`,
    `${m.id}/shippingConfirmations`,
    `${m.id}/inventory`,
  ]);
  await db.collection(CURSORS).insertMany(keys.map((k) => ({ _id: k as never, cursor: "c1" })));
  const r = await db
    .collection(JOBS_COLLECTION)
    .updateMany(
      { name: { $in: PULLS.map((s) => `${JOB_PREFIX}${s}`) } },
      { $set: { nextRunAt: new Date(Date.now() + 3_000) } },
    );
  return r.modifiedCount;
}

async function measure(uri: string, mode: "schedsync" | "bare"): Promise<Count> {
  const client = new MongoClient(uri, { monitorCommands: true });
  const { c, start, stop } = counter(client);
  await client.connect();
  const db = client.db(`fleet_runs_${randomBytes(3).toString("hex")}`);
  try {
    const due = await seedDue(db);
    let agenda: Agenda;
    let halt: () => Promise<void>;
    if (mode === "schedsync") {
      const worker = createWorker(db, { connectors: EMPTY_CONNECTORS, owner: "bench" });
      agenda = worker.agenda;
      halt = () => worker.stop(10_000);
      await worker.start();
    } else {
      agenda = new Agenda({
        backend: new MongoBackend({ mongo: db, collection: JOBS_COLLECTION }),
        name: "bare",
        processEvery: 1_000,
        maxConcurrency: 10,
        defaultConcurrency: 10,
      });
      for (const s of ALL_SERVICES) agenda.define(`${JOB_PREFIX}${s}`, async () => {});
      agenda.define(TRIGGER_JOB, async () => {});
      halt = () => agenda.stop(false);
      await agenda.start();
    }
    // Start-up (indexes, sweeps) is not counted: the jobs fall due 3 s after the seed.
    start();
    await new Promise<void>((resolve) => {
      agenda.on("complete", () => {
        c.runs++;
        if (c.runs === due) resolve();
      });
    });
    await halt();
    stop();
  } finally {
    await db.dropDatabase().catch(() => {});
    await client.close();
  }
  return c;
}

export async function commandsPerRun(uri: string): Promise<string[]> {
  const lines = [
    `dispatch: store commands per scheduled run (${MERCHANTS * PULLS.length} due empty pulls, run once)`,
  ];
  const per: Record<string, number> = {};
  for (const mode of ["schedsync", "bare"] as const) {
    const c = await measure(uri, mode);
    const total = [...c.perRun.values()].reduce((a, b) => a + b, 0);
    per[mode] = total / c.runs;
    const detail = [...c.perRun.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${(v / c.runs).toFixed(2)}`)
      .join(", ");
    lines.push(
      `  ${mode}: ${(total / c.runs).toFixed(2)} commands per run (${detail}); ${c.polls} empty lock polls meanwhile`,
    );
  }
  lines.push(`  schedsync ÷ bare commands per run: ${((per.schedsync ?? 0) / (per.bare ?? 1)).toFixed(2)}×`);
  return lines;
}
