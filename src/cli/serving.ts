// The long-running commands' work (serve, start), imported only when one of them runs: it loads
// Agenda, express and the mongodb driver, which the other commands do not need.
import type { Db } from "mongodb";
import { createPortFactory, storeJournal } from "../connectors/index.js";
import { createLogger } from "../platform/log.js";
import { createMetrics } from "../platform/metrics.js";
import { triggerOnDemand } from "../runtime/trigger.js";
import { createWorker, type Worker } from "../runtime/worker.js";
import { BindRefusedError } from "../server/app.js";
import { CART_HOOK_WINDOW_MS } from "../server/cart-hooks.js";
import { engineReconcile } from "../server/engine-adapter.js";
import { recordsCounter } from "../server/record-counts.js";
import { type RunOptions, runServer, untilSignal } from "../server/run-server.js";
import { openStore } from "../store/index.js";
import { CliError } from "./errors.js";
import { storeDataDir } from "./paths.js";

/** The options of `schedsync serve`, parsed (serve.ts). */
export interface ServeOptions {
  host: string;
  port: number;
  interval: number;
  repo?: string;
  ref: string;
  dir: string;
  branch?: string;
  recheckAfter: number;
  agendash: boolean;
}

/** The options of `schedsync start`, parsed (start.ts). */
export interface StartOptions {
  host: string;
  port: number;
  dir: string;
  workers: boolean;
}

/** Carts' webhooks: the cart's orderDownload within CART_HOOK_WINDOW_MS, one run per burst. */
function downloadNow(db: Db): RunOptions["triggerDownload"] {
  return (agenda, spec) => triggerOnDemand({ db, agenda }, spec, CART_HOOK_WINDOW_MS);
}

/** `schedsync serve` (options parsed by serve.ts). */
export async function serve(o: ServeOptions): Promise<void> {
  const log = createLogger();
  const store = await openStore({ dataDir: storeDataDir(), log: (line) => log.info(line) });
  try {
    const target = { repo: o.repo, ref: o.ref, dir: o.dir };
    const running = await runServer({
      metrics: createMetrics(),
      db: store.db,
      storeUri: store.displayUri,
      host: o.host,
      port: o.port,
      intervalMs: o.interval,
      branch: o.branch ?? (o.ref === "HEAD" ? "main" : o.ref),
      reconcile: engineReconcile(store, target, (line) => log.info(line), o.recheckAfter),
      log,
      records: recordsCounter(),
      agendash: o.agendash,
      triggerDownload: downloadNow(store.db),
    }).catch((err) => {
      if (err instanceof BindRefusedError) throw new CliError(err.message);
      throw err;
    });
    log.info({ url: running.server.url, store: store.displayUri, ...target }, "schedsync serve listening");
    const sig = await untilSignal();
    log.info({ signal: sig }, "shutting down");
    await running.stop();
  } finally {
    await store.close();
  }
}

/** `schedsync start` (options parsed by start.ts). */
export async function start(o: StartOptions): Promise<void> {
  const log = createLogger();
  const metrics = createMetrics();
  const store = await openStore({ dataDir: storeDataDir(), log: (line) => log.info(line) });
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
      port: o.port,
      intervalMs: 3_000,
      branch: "main",
      reconcile: engineReconcile(store, { ref: "HEAD", dir: o.dir }, (line) => log.info(line)),
      log,
      records: recordsCounter(),
      agenda: worker?.agenda,
      triggerDownload: downloadNow(store.db),
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
