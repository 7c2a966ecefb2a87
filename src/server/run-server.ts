// `schedsync serve` and `start` share this: open the HTTP server, reconcile at start-up and on
// each poll; stop() is the clean end the commands call on SIGINT/SIGTERM (src/platform/signals.ts).
import type { Agenda } from "agenda";
import type { Db } from "mongodb";
import type { JobSpec } from "../jobs/types.js";
import type { Logger } from "../platform/log.js";
import type { Metrics } from "../platform/metrics.js";
import type { Notify } from "../platform/notify.js";
import { agendashHandler, idleAgenda } from "./agendash.js";
import { type RunningServer, startServer } from "./app.js";
import { type TriggerDownload, warnUnsetCartSecrets } from "./cart-hooks.js";
import { Poller } from "./poller.js";
import type { LastReconcile, ReconcileFn } from "./reconciler.js";
import type { RecordsCounter } from "./record-counts.js";

export interface RunOptions {
  db: Db;
  storeUri: string;
  host: string;
  port: number;
  intervalMs: number;
  branch: string;
  reconcile: ReconcileFn;
  log: Logger;
  records?: RecordsCounter;
  /** The process's metrics, shared with its workers (see src/platform/metrics.ts). */
  metrics: Metrics;
  agendash?: boolean;
  /** An Agenda to show in Agendash (the worker's); default: a read/edit-only one. */
  agenda?: Agenda;
  env?: NodeJS.ProcessEnv;
  /** Carts' webhooks run orderDownload through this (see cart-hooks.ts); omitted: no cart webhooks. */
  triggerDownload?: (agenda: Agenda, spec: JobSpec) => Promise<boolean>;
  /** k of the staleness rule (status page, /metrics). */
  staleAfterRuns?: number;
  /** Operator notifications (failed applies). */
  notify?: Notify;
}

export interface Running {
  server: RunningServer;
  /** The start-up reconcile's result, once it has finished (not a later poll's "unchanged"). */
  startup: Promise<LastReconcile | undefined>;
  /** Stops polling, finishes the running reconcile, closes the HTTP server. */
  stop(): Promise<void>;
}

export async function runServer(opts: RunOptions): Promise<Running> {
  const dash = opts.agendash === false ? undefined : agendashHandler(opts.db, opts.agenda);
  // Triggers are Agenda jobs: the worker's Agenda, else one that only writes them (never started).
  const agenda = opts.agenda ?? dash?.agenda ?? idleAgenda(opts.db);
  const triggerDownload = opts.triggerDownload;
  const trigger: TriggerDownload | undefined = triggerDownload && ((spec) => triggerDownload(agenda, spec));
  const server = await startServer(
    {
      db: opts.db,
      storeUri: opts.storeUri,
      reconcile: opts.reconcile,
      log: opts.log,
      branch: opts.branch,
      records: opts.records,
      metrics: opts.metrics,
      agendash: dash?.handler,
      env: opts.env,
      triggerDownload: trigger,
      staleAfterRuns: opts.staleAfterRuns,
      notify: opts.notify,
    },
    { host: opts.host, port: opts.port },
  );
  const poller = new Poller(opts.intervalMs, () => server.reconciler.request("poll"));
  const startup = server.reconciler
    .request("startup")
    .then(async () => {
      if (trigger) await warnUnsetCartSecrets(opts.db, opts.env ?? process.env, opts.log).catch(() => {});
      return server.reconciler.last;
    })
    .catch(() => undefined);
  poller.start();
  let stopping: Promise<void> | undefined;
  return {
    server,
    startup,
    stop: () => {
      stopping ??= (async () => {
        poller.stop();
        await server.close();
        if (!opts.agenda) await agenda.stop().catch(() => {});
      })();
      return stopping;
    },
  };
}
