// The long-running commands' work (serve, start), imported only when one of them runs: it loads
// Agenda, express and the mongodb driver, which the other commands do not need.
//
// One order for both: start-up checks (exposure, port, git repo) before the store opens; then the
// workers, then the server (which applies); on Ctrl-C one shutdown path that stops the server,
// then Agenda, and closes the store last — also when start-up fails half way.
import type { Db } from "mongodb";
import { budgetsIn, createConnectorFactory, storeJournal } from "../connectors/index.js";
import { createLogger, type Logger } from "../platform/log.js";
import { createMetrics } from "../platform/metrics.js";
import { createNotifier, type Notifier } from "../platform/notify.js";
import { watchSignals } from "../platform/signals.js";
import { triggerOnDemand } from "../runtime/trigger.js";
import { createWorker, type Worker } from "../runtime/worker.js";
import { BindRefusedError } from "../server/app.js";
import { CART_HOOK_WINDOW_MS } from "../server/cart-hooks.js";
import { engineReconcile } from "../server/engine-adapter.js";
import { recordsCounter } from "../server/record-counts.js";
import { type Running, type RunOptions, runServer } from "../server/run-server.js";
import { watchStaleJobs } from "../server/stale-watch.js";
import { planWords } from "../server/words.js";
import { openStore, type Store } from "../store/index.js";
import { CliError } from "./errors.js";
import { notifyUrl } from "./operator-options.js";
import { storeDataDir } from "./paths.js";
import { checkExposure, checkGitRepo, checkPort, isRepoUrl } from "./preflight.js";
import { stopOrForce } from "./stop-or-force.js";

/** Options shared by serve and start (operator-options.ts). */
interface OperatorOptions {
  staleAfter: number;
  notifyUrlEnv?: string;
}

/** The options of `schedsync serve`, parsed (serve.ts). */
export interface ServeOptions extends OperatorOptions {
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
export interface StartOptions extends OperatorOptions {
  host: string;
  port: number;
  dir: string;
  workers: boolean;
  /** Retention of delivered records in ms; Infinity: off (option-types.ts retentionOption). */
  retention: number;
}

/** Carts' webhooks: the cart's orderDownload within CART_HOOK_WINDOW_MS, one run per burst. */
function downloadNow(db: Db): RunOptions["triggerDownload"] {
  return (agenda, spec) => triggerOnDemand({ db, agenda }, spec, CART_HOOK_WINDOW_MS);
}

/** What a running command holds, stopped in this order by shutdown(). */
interface Parts {
  running?: Running;
  stopStaleWatch?: () => void;
  worker?: Worker;
  notifier?: Notifier;
  store: Store;
}

/** The one shutdown path: server (and its reconcile), then Agenda, then the store's client. */
async function shutdown(p: Parts, log: Logger): Promise<void> {
  p.stopStaleWatch?.();
  if (p.running) {
    log.info("stopping: server");
    await p.running.stop();
  }
  if (p.worker) {
    log.info("stopping: workers");
    await p.worker.stop(10_000, { exiting: true });
  }
  await p.notifier?.flush();
  await p.store.close();
}

function bindError(err: unknown): never {
  if (err instanceof BindRefusedError) throw new CliError(err.message);
  throw err;
}

/** The notifier of --notify-url-env (undefined without it). */
function notifierOf(o: OperatorOptions, log: Logger): Notifier | undefined {
  const url = notifyUrl(o.notifyUrlEnv);
  if (!url) return undefined;
  log.info({ env: o.notifyUrlEnv }, "notifications go to the webhook in this variable");
  return createNotifier({ url, log });
}

/** `schedsync serve` (options parsed by serve.ts). */
export async function serve(o: ServeOptions): Promise<void> {
  checkExposure(o.host);
  if (!isRepoUrl(o.repo)) checkGitRepo(o.repo, "serve");
  await checkPort(o.host, o.port);
  const log = createLogger();
  const notifier = notifierOf(o, log);
  if (!process.env.SCHEDSYNC_WEBHOOK_SECRET)
    log.warn(
      "SCHEDSYNC_WEBHOOK_SECRET is not set: POST /hooks/github answers 401 to every webhook; polling still applies new commits",
    );
  const parts: Parts = { store: await openStore({ dataDir: storeDataDir(), log: (line) => log.info(line) }) };
  parts.notifier = notifier;
  // From here a Ctrl-C is a clean stop, also one that arrives while the server starts.
  const signals = watchSignals();
  try {
    const target = { repo: o.repo, ref: o.ref, dir: o.dir };
    parts.running = await runServer({
      metrics: createMetrics(),
      db: parts.store.db,
      storeUri: parts.store.displayUri,
      host: o.host,
      port: o.port,
      intervalMs: o.interval,
      branch: o.branch ?? (o.ref === "HEAD" ? "main" : o.ref),
      reconcile: engineReconcile(parts.store, target, (line) => log.info(line), o.recheckAfter),
      log,
      records: recordsCounter(),
      agendash: o.agendash,
      triggerDownload: downloadNow(parts.store.db),
      staleAfterRuns: o.staleAfter,
      notify: notifier?.notify,
    }).catch(bindError);
    parts.stopStaleWatch = notifier
      ? watchStaleJobs(parts.store.db, { k: o.staleAfter, notify: notifier.notify, log })
      : undefined;
    log.info(
      { url: parts.running.server.url, store: parts.store.displayUri, ...target },
      "schedsync serve listening",
    );
    const sig = await signals.received;
    log.info({ signal: sig }, "shutting down");
  } finally {
    await stopOrForce(shutdown(parts, log), signals, log);
    log.info("stopped");
  }
}

/** `schedsync start` (options parsed by start.ts). */
export async function start(o: StartOptions): Promise<void> {
  checkExposure(o.host);
  checkGitRepo(undefined, "start");
  await checkPort(o.host, o.port);
  const log = createLogger();
  const notifier = notifierOf(o, log);
  const metrics = createMetrics();
  const parts: Parts = { store: await openStore({ dataDir: storeDataDir(), log: (line) => log.info(line) }) };
  parts.notifier = notifier;
  const { db } = parts.store;
  // From here a Ctrl-C is a clean stop, also one during the start-up apply (before the banner).
  const signals = watchSignals();
  try {
    if (o.workers) {
      parts.worker = createWorker(db, {
        connectors: createConnectorFactory({
          sandboxJournal: storeJournal(db),
          budgets: budgetsIn(db, metrics.hooks),
        }),
        log,
        hooks: metrics.hooks,
        notify: notifier?.notify,
        retentionMs: o.retention,
      });
      await parts.worker.start();
    }
    parts.running = await runServer({
      metrics,
      db,
      storeUri: parts.store.displayUri,
      host: o.host,
      port: o.port,
      intervalMs: 3_000,
      branch: "main",
      reconcile: engineReconcile(parts.store, { ref: "HEAD", dir: o.dir }, (line) => log.info(line)),
      log,
      records: recordsCounter(),
      agenda: parts.worker?.agenda,
      triggerDownload: downloadNow(db),
      staleAfterRuns: o.staleAfter,
      notify: notifier?.notify,
    }).catch(bindError);
    parts.stopStaleWatch = notifier
      ? watchStaleJobs(db, { k: o.staleAfter, notify: notifier.notify, log })
      : undefined;
    const startup = await Promise.race([parts.running.startup, signals.received.then(() => undefined)]);
    if (!signals.fired) {
      const applied = startup
        ? `${startup.revision.slice(0, 12) || "nothing"}: ${startup.error ?? planWords(startup.summary)}`
        : "nothing";
      console.log(
        `\n  schedsync is running: ${parts.running.server.url}\n` +
          `  applied ${applied}; workers ${parts.worker ? "running" : "off"}; Ctrl-C to stop\n`,
      );
    }
    log.info({ signal: await signals.received }, "shutting down");
  } finally {
    const { worker } = parts;
    await stopOrForce(shutdown(parts, log), signals, log, worker && (() => worker.abandon()));
    log.info("stopped");
  }
}
