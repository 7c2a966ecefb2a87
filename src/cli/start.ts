// `schedsync start` (= npm start): everything on one machine for a newcomer — the embedded store,
// ./schedules of the current repo applied and watched, the workers, and the status page.
import type { Command } from "commander";
import { createPortFactory, storeJournal } from "../connectors/index.js";
import { createLogger } from "../platform/log.js";
import { createMetrics } from "../platform/metrics.js";
import { createWorker, type Worker } from "../runtime/worker.js";
import { BindRefusedError } from "../server/app.js";
import { engineReconcile } from "../server/engine-adapter.js";
import { recordsCounter } from "../server/record-counts.js";
import { runServer, untilSignal } from "../server/run-server.js";
import { openStore } from "../store/index.js";
import { CliError } from "./errors.js";

interface Options {
  host: string;
  port: string;
  dir: string;
  workers: boolean;
}

export function register(program: Command): void {
  program
    .command("start")
    .description(
      "Run everything locally: the embedded store, the schedules of this repo (committed on HEAD) applied and " +
        "re-applied on each new commit, the workers, and the status page. Ctrl-C stops it all.",
    )
    .option("--host <address>", "address of the status page", "127.0.0.1")
    .option("--port <n>", "port of the status page (0 picks a free one)", "8080")
    .option("--dir <path>", "schedules directory inside the repo", "schedules")
    .option("--no-workers", "apply and serve only; run no jobs")
    .addHelpText(
      "after",
      `
Examples:
  $ npm start
  $ schedsync start --port 0

Commit a change under schedules/ and it is applied within seconds. Set MONGODB_URI to use a real
MongoDB instead of the embedded FerretDB.`,
    )
    .action(async (o: Options) => start(o));
}

async function start(o: Options): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`bad --port ${o.port}`);
  const log = createLogger();
  const metrics = createMetrics();
  const store = await openStore({ log: (line) => log.info(line) });
  let worker: Worker | undefined;
  try {
    if (o.workers) {
      worker = createWorker(store.db, {
        ports: createPortFactory({ sandboxJournal: storeJournal(store.db) }),
        log,
        hooks: metrics.hooks,
      });
      await worker.start();
    }
    const running = await runServer({
      metrics,
      db: store.db,
      storeUri: store.displayUri,
      host: o.host,
      port,
      intervalMs: 3_000,
      branch: "main",
      reconcile: engineReconcile(store, { ref: "HEAD", dir: o.dir }, (line) => log.info(line)),
      log,
      records: recordsCounter(),
      agenda: worker?.agenda,
    }).catch((err) => {
      if (err instanceof BindRefusedError) throw new CliError(err.message);
      throw err;
    });
    await running.server.reconciler.request("poll"); // waits for the start-up reconcile
    const last = running.server.reconciler.last;
    console.log(
      `\n  schedsync is running: ${running.server.url}\n` +
        `  applied ${last?.revision.slice(0, 12) || "nothing"} (${last?.outcome ?? "?"}); workers ${worker ? "running" : "off"}; Ctrl-C to stop\n`,
    );
    await untilSignal();
    log.info("stopping: server");
    await running.stop();
    log.info("stopping: workers");
    await worker?.stop(10_000);
    log.info("stopped");
  } finally {
    await store.close();
  }
}
