// `schedsync worker`: runs the jobs (scheduled, Automatic and cleanup) until SIGTERM/SIGINT.
import type { Command } from "commander";
import { createPortFactory, storeJournal } from "../connectors/index.js";
import { parseDuration } from "../platform/duration.js";
import { createLogger } from "../platform/log.js";
import { DEFAULTS } from "../runtime/options.js";
import { createWorker } from "../runtime/worker.js";
import { openStore } from "../store/index.js";
import { CliError } from "./errors.js";

export function register(program: Command): void {
  program
    .command("worker")
    .description("Run the transmission jobs: periodic services, Automatic runs and cleanup runs.")
    .option("--concurrency <n>", "jobs this worker runs at once", String(DEFAULTS.concurrency))
    .option(
      "--lock-limit <n>",
      "jobs this worker holds locked at once, running or queued (0 = no limit; default 2 × concurrency)",
    )
    .option(
      "--process-every <duration>",
      "how often this worker polls the store for due jobs (one lock query per job name each time)",
      "1s",
    )
    .option(
      "--lock-lifetime <duration>",
      "how long a job locked by a worker that died stays locked before another worker runs it",
      "10m",
    )
    .option("--stop-timeout <ms>", "on SIGTERM, how long to let running batches finish", "30000")
    .addHelpText(
      "after",
      `
Run as many workers as you like on one store: a service key never runs twice at once and a
record is never sent twice in one attempt. SIGTERM/SIGINT stops taking work, lets each running
batch finish (or hands it back), and exits. A worker that is killed loses nothing: its batch is
sent again, with the same Idempotency-Key, once its lease expires.

Examples:
  $ schedsync worker
  $ MONGODB_URI=mongodb://db/schedsync schedsync worker --concurrency 20

Sizing (docs/operations.md): --concurrency is how many runs wait on connectors at once; raise it
when connectors are slow. --lock-limit keeps one worker from locking a whole wave of due jobs that
other workers could run. --process-every: each poll costs one lock query per job name (about a
dozen); on the embedded store several workers polling every second use much of its capacity.
--lock-lifetime must exceed the longest run between two lock renewals
(a running job renews its lock every lifetime / 3); a stopped worker releases its locks at once.`,
    )
    .action(async (o: Options) => {
      const settings = workerSettings(o);
      const log = createLogger();
      const store = await openStore({ log: (line) => log.info(line) });
      const worker = createWorker(store.db, {
        ports: createPortFactory({ sandboxJournal: storeJournal(store.db) }),
        log,
        ...settings,
      });
      await worker.start();
      log.info(settings, "worker started");
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      log.info("stopping: finishing running batches");
      await worker.stop(Number(o.stopTimeout));
      await store.close();
      log.info("worker stopped");
    });
}

interface Options {
  concurrency: string;
  lockLimit?: string;
  lockLifetime: string;
  processEvery: string;
  stopTimeout: string;
}

/** Checks the flags before anything starts: a bad value is a CliError and changes nothing. */
export function workerSettings(o: Options): {
  concurrency: number;
  lockLimit?: number;
  lockLifetime: number;
  processEvery: number;
} {
  const concurrency = Number(o.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new CliError(`bad --concurrency ${o.concurrency}`);
  const lockLimit = o.lockLimit === undefined ? undefined : Number(o.lockLimit);
  if (lockLimit !== undefined && (!Number.isInteger(lockLimit) || lockLimit < 0))
    throw new CliError(`bad --lock-limit ${o.lockLimit}: a whole number, 0 for no limit`);
  const lifetime = parseDuration(o.lockLifetime);
  if (!lifetime.ok) throw new CliError(`bad --lock-lifetime: ${lifetime.message}`);
  if (lifetime.ms < 5_000) throw new CliError(`bad --lock-lifetime ${o.lockLifetime}: at least 5s`);
  const every = parseDuration(o.processEvery);
  if (!every.ok) throw new CliError(`bad --process-every: ${every.message}`);
  if (every.ms < 100 || every.ms > 60_000)
    throw new CliError(`bad --process-every ${o.processEvery}: 100ms to 1m`);
  return { concurrency, lockLimit, lockLifetime: lifetime.ms, processEvery: every.ms };
}
