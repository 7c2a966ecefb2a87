// `schedsync worker`: runs the jobs (scheduled, Automatic and cleanup) until SIGTERM/SIGINT.
import type { Command } from "commander";
import { watchSignals } from "../platform/signals.js";
import { durationOption, intOption, retentionOption, UsageError } from "./option-types.js";
import { storeDataDir } from "./paths.js";
import { stopOrForce } from "./stop-or-force.js";

interface Options {
  concurrency: number;
  lockLimit?: number;
  lockLifetime: number;
  processEvery: number;
  retention: number;
  stopTimeout: number;
}

export function register(program: Command): void {
  program
    .command("worker")
    .description("Run the transmission jobs: periodic services, Automatic runs and cleanup runs.")
    .addOption(
      intOption("--concurrency <n>", "jobs this worker runs at once", {
        min: 1,
        max: 1000,
        default: 10, // DEFAULTS.concurrency (not imported: the CLI loads runtime code lazily)
      }),
    )
    .addOption(
      intOption(
        "--lock-limit <n>",
        "jobs this worker holds locked at once, running or queued (0 = no limit; default 2 × concurrency)",
        { min: 0, max: 100_000 },
      ),
    )
    .addOption(
      durationOption(
        "--process-every <duration>",
        "how often this worker polls the store for due jobs (one read, then a lock query per job name with a due job; 100ms to 1m)",
        { default: "1s", minMs: 100, maxMs: 60_000 },
      ),
    )
    .addOption(
      durationOption(
        "--lock-lifetime <duration>",
        "how long a job locked by a worker that died stays locked before another worker runs it",
        { default: "10m" },
      ),
    )
    .addOption(retentionOption())
    .addOption(
      intOption("--stop-timeout <ms>", "on SIGTERM or SIGINT, how long to let running batches finish", {
        min: 0,
        default: 30_000,
      }),
    )
    .addHelpText(
      "after",
      `
Run as many workers as you like on one store: a service key never runs twice
at once and a record is never sent twice in one attempt. SIGTERM/SIGINT stops
taking work, lets each running batch finish (or hands it back), and exits; a
second one stops waiting, clears the running jobs' locks and exits 143/130. A
worker that is killed loses nothing: every worker sweeps every half lease (15 s
by default) for leases expired for a whole lease, so a dead worker's batch is
sent again, whole and with the same Idempotency-Key, at most two leases and a
half after the kill (60 s + 60 s + 15 s by default), without new data or a
cleanup run; an Automatic run it left is triggered again. A record the
receiver refused as not retryable is held until \`npx schedsync resend\`.

Sizing (docs/operations.md): --concurrency is how many runs wait on connectors
at once; raise it when connectors are slow. --lock-limit keeps one worker from
locking a whole wave of due jobs that other workers could run. --process-every:
each poll costs one read of the names with a due job, then one lock query per
such name. --lock-lifetime
must exceed the longest run between two lock renewals (a running job renews its
lock every lifetime / 3); a stopped worker releases its locks at once.
--retention: once a minute one worker moves the records delivered longer ago
to the archive (\`records\` and \`status\` still count and list them), so the
queries of each run read live work only; a re-pulled order is not sent again.

Examples:
  $ npx schedsync worker
  $ MONGODB_URI=mongodb://db/schedsync npx schedsync worker --concurrency 20`,
    )
    .action(async (o: Options) => {
      if (o.lockLifetime < 5_000) throw new UsageError("bad --lock-lifetime: at least 5s");
      const [
        { budgetsIn, createConnectorFactory, storeJournal },
        { createWorker },
        { createLogger },
        { openStore },
      ] = await Promise.all([
        import("../connectors/index.js"),
        import("../runtime/worker.js"),
        import("../platform/log.js"),
        import("../store/index.js"),
      ]);
      const settings = {
        concurrency: o.concurrency,
        lockLimit: o.lockLimit,
        lockLifetime: o.lockLifetime,
        processEvery: o.processEvery,
        retentionMs: o.retention,
      };
      const log = createLogger();
      const store = await openStore({ dataDir: storeDataDir(), log: (line) => log.info(line) });
      const worker = createWorker(store.db, {
        connectors: createConnectorFactory({
          sandboxJournal: storeJournal(store.db),
          budgets: budgetsIn(store.db),
        }),
        log,
        ...settings,
      });
      // Listen before starting: a SIGTERM right after "worker started" is a clean stop too.
      const signals = watchSignals();
      await worker.start();
      log.info(settings, "worker started");
      log.info({ signal: await signals.received }, "stopping: finishing running batches");
      await stopOrForce(worker.stop(o.stopTimeout, { exiting: true }), signals, log, () => worker.abandon());
      await store.close();
      log.info("worker stopped");
    });
}
