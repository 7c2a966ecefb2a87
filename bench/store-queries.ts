// The job queries a worker sends most, timed on one store with the fleet's jobs (docs/benchmarks.md,
// "Store queries"): Agenda's lock query, schedsync's poll gate (one lockable job of a name), the lock
// window's read (on time, and an hour behind) and findSpecs by merchant, each beside the cheapest query there is, a lookup by _id, as ratios.
// BENCH_JOBS_MERCHANTS (default 2,000: 26,000 jobs, the fleet bench's default N); BENCH_BASELINE_FERRETDB:
// another FerretDB binary (an older build) measured on the same jobs in the same run.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Db, MongoClient } from "mongodb";
import { hasLockable, lockableFilter } from "../src/jobs/due-names.js";
import { ensureJobIndexes, findSpecs, loadSpec } from "../src/jobs/repository.js";
import { startEmbedded } from "../src/store/embedded.js";
import { fleetJobs, seed } from "./fleet.js";

const MERCHANTS = Number(process.env.BENCH_JOBS_MERCHANTS ?? 2_000);
const ROUNDS = 40;

interface Timing {
  label: string;
  ms: number;
}

async function timeEach(label: string, fn: (i: number) => Promise<unknown>): Promise<Timing> {
  await fn(0); // warm: plans and caches
  const t = performance.now();
  for (let i = 1; i <= ROUNDS; i++) await fn(i);
  return { label, ms: (performance.now() - t) / ROUNDS };
}

/** Agenda 6's lock query (MongoJobRepository.getNextJobToRun), given back after each lock. */
async function lockOnce(db: Db, name: string, nextScanAt: Date, lockDeadline: Date): Promise<void> {
  const jobs = db.collection("agendaJobs");
  const doc = await jobs.findOneAndUpdate(
    lockableFilter(nextScanAt, lockDeadline, name),
    { $set: { lockedAt: new Date(), lastModifiedBy: null } },
    { returnDocument: "after", sort: { nextRunAt: 1, priority: -1 } },
  );
  if (doc) await jobs.updateOne({ _id: doc._id }, { $set: { lockedAt: null } });
}

/** The lock window's read (src/jobs/lock-window.ts): the first lockLimit lockable jobs in Agenda's order. */
async function windowRead(db: Db, name: string, nextScanAt: Date, lockDeadline: Date): Promise<void> {
  await db
    .collection("agendaJobs")
    .find(lockableFilter(nextScanAt, lockDeadline, name), {
      projection: { nextRunAt: 1 },
      sort: { nextRunAt: 1, priority: -1 },
      limit: 20,
    })
    .toArray();
}

async function measure(binary: string | undefined): Promise<{ timings: Timing[]; due: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), "schedsync-bench-queries-"));
  const env = { ...process.env };
  delete env.MONGODB_URI;
  if (binary) env.SCHEDSYNC_FERRETDB = binary;
  const server = await startEmbedded({ dataDir, lingerMs: 0, env });
  const client = await MongoClient.connect(server.uri);
  try {
    const db = client.db("bench");
    const jobs = fleetJobs(
      { cartUrl: (id) => `http://127.0.0.1:9/${id}`, wmsUrl: "http://127.0.0.1:9/wms" },
      true,
    );
    const seededAt = new Date();
    await seed(db, jobs);
    await db
      .collection("agendaJobs")
      .createIndex(
        { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1, disabled: 1 },
        { name: "findAndLockNextJobIndex" },
      );
    await ensureJobIndexes(db);
    // The due set of a worker on time: the jobs due in the first second after seeding.
    const nextScanAt = new Date(seededAt.getTime() + 1_000);
    const lockDeadline = new Date(seededAt.getTime() - 600_000);
    const due = await db.collection("agendaJobs").countDocuments({ nextRunAt: { $lte: nextScanAt } });
    const key = jobs[jobs.length >> 1]?.key as string;
    const timings = [
      await timeEach("lookup by _id (loadSpec)", () => loadSpec(db, key)),
      await timeEach("Agenda's lock query + give back", () =>
        lockOnce(db, "schedsync:orderDownload", nextScanAt, lockDeadline),
      ),
      await timeEach("poll gate: one lockable job of a name", () =>
        hasLockable(db, "agendaJobs", "schedsync:orderDownload", nextScanAt, lockDeadline),
      ),
      await timeEach("lock window read: first 20 due of a name, on time", () =>
        windowRead(db, "schedsync:orderDownload", nextScanAt, lockDeadline),
      ),
      await timeEach("lock window read: first 20 due of a name, 4 s behind", () =>
        windowRead(db, "schedsync:orderDownload", new Date(seededAt.getTime() + 4_000), lockDeadline),
      ),
      await timeEach("lock window read: first 20 due of a name, an hour behind (all due)", () =>
        windowRead(db, "schedsync:orderDownload", new Date(seededAt.getTime() + 3_600_000), lockDeadline),
      ),
      await timeEach("findSpecs(merchant, inventoryUpload)", (i) =>
        findSpecs(db, { merchantId: `m${(i * 37) % MERCHANTS}`, service: "inventoryUpload" }),
      ),
    ];
    return { timings, due };
  } finally {
    await client.close();
    await server.release();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

export async function benchStoreQueries(): Promise<{ name: string; lines: string[] }> {
  const lines: string[] = [];
  const current = await measure(undefined);
  lines.push(
    `embedded FerretDB (this build), ${MERCHANTS * 13} jobs, ${current.due} due, mean of ${ROUNDS} calls:`,
  );
  const floor = current.timings[0]?.ms ?? 1;
  for (const t of current.timings)
    lines.push(`  ${t.label}: ${t.ms.toFixed(2)} ms (${(t.ms / floor).toFixed(1)}× _id)`);
  const baseline = process.env.BENCH_BASELINE_FERRETDB;
  if (baseline) {
    const old = await measure(baseline);
    lines.push(`baseline ${baseline}, same jobs (${old.due} due):`);
    for (const [i, t] of old.timings.entries()) {
      const now = current.timings[i]?.ms ?? Number.NaN;
      lines.push(`  ${t.label}: ${t.ms.toFixed(2)} ms; this build ÷ baseline ${(now / t.ms).toFixed(3)}×`);
    }
  }
  return { name: "store-queries", lines };
}
