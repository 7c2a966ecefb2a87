// `schedsync worker`: runs the jobs (scheduled, Automatic and cleanup) until SIGTERM/SIGINT.
import type { Command } from "commander";
import { createPortFactory } from "../connectors/index.js";
import { createLogger } from "../platform/log.js";
import { createWorker } from "../runtime/worker.js";
import { openStore } from "../store/index.js";
import { CliError } from "./errors.js";

export function register(program: Command): void {
  program
    .command("worker")
    .description("Run the transmission jobs: periodic services, Automatic runs and cleanup runs.")
    .option("--concurrency <n>", "jobs this worker runs at once", "10")
    .option("--stop-timeout <ms>", "on SIGTERM, how long to let running batches finish", "30000")
    .addHelpText(
      "after",
      `
Run as many workers as you like on one store: a service key never runs twice at once and a
record is never sent twice in one attempt. SIGTERM/SIGINT stops taking work, lets each running
batch finish (or hands it back), and exits. A worker that is killed loses nothing: every worker
sweeps for expired leases every half lease (15 s by default), so a dead worker's batch is sent
again, whole and with the same Idempotency-Key, at most a lease plus half a lease after the kill
(60 s + 15 s by default), without new data or a cleanup run; an Automatic run it left is triggered
again. A record the receiver refused as not retryable is held until \`schedsync resend\`.

Examples:
  $ schedsync worker
  $ MONGODB_URI=mongodb://db/schedsync schedsync worker --concurrency 20`,
    )
    .action(async (o: { concurrency: string; stopTimeout: string }) => {
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new CliError(`bad --concurrency ${o.concurrency}`);
      const log = createLogger();
      const store = await openStore({ log: (line) => log.info(line) });
      const worker = createWorker(store.db, { ports: createPortFactory(), log, concurrency });
      await worker.start();
      log.info({ concurrency }, "worker started");
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
