// `schedsync worker`: runs the jobs (scheduled, Automatic and cleanup) until SIGTERM/SIGINT.
import type { Command } from "commander";
import { intOption } from "./option-types.js";
import { storeDataDir } from "./paths.js";

export function register(program: Command): void {
  program
    .command("worker")
    .description("Run the transmission jobs: periodic services, Automatic runs and cleanup runs.")
    .addOption(
      intOption("--concurrency <n>", "jobs this worker runs at once", { min: 1, max: 1000, default: 10 }),
    )
    .addOption(
      intOption("--stop-timeout <ms>", "on SIGTERM, how long to let running batches finish", {
        min: 0,
        default: 30_000,
      }),
    )
    .addHelpText(
      "after",
      `
Run as many workers as you like on one store: a service key never runs twice
at once and a record is never sent twice in one attempt. SIGTERM/SIGINT stops
taking work, lets each running batch finish (or hands it back), and exits. A
worker that is killed loses nothing: its batch is sent again, with the same
Idempotency-Key, once its lease expires.

Examples:
  $ npx schedsync worker
  $ MONGODB_URI=mongodb://db/schedsync npx schedsync worker --concurrency 20`,
    )
    .action(async (o: { concurrency: number; stopTimeout: number }) => {
      const [{ createPortFactory, storeJournal }, { createWorker }, { createLogger }, { openStore }] =
        await Promise.all([
          import("../connectors/index.js"),
          import("../runtime/worker.js"),
          import("../platform/log.js"),
          import("../store/index.js"),
        ]);
      const { concurrency } = o;
      const log = createLogger();
      const store = await openStore({ dataDir: storeDataDir(), log: (line) => log.info(line) });
      const worker = createWorker(store.db, {
        ports: createPortFactory({ sandboxJournal: storeJournal(store.db) }),
        log,
        concurrency,
      });
      await worker.start();
      log.info({ concurrency }, "worker started");
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      log.info("stopping: finishing running batches");
      await worker.stop(o.stopTimeout);
      await store.close();
      log.info("worker stopped");
    });
}
