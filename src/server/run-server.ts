// `schedsync serve` and `start` share this: open the HTTP server, reconcile at start-up and on
// each poll, stop cleanly on SIGINT/SIGTERM.
import type { Agenda } from "agenda";
import type { Db } from "mongodb";
import type { JobSpec } from "../jobs/types.js";
import type { Logger } from "../platform/log.js";
import type { Metrics } from "../platform/metrics.js";
import { agendashHandler, idleAgenda } from "./agendash.js";
import { type RunningServer, startServer } from "./app.js";
import { type TriggerDownload, warnUnsetCartSecrets } from "./cart-hooks.js";
import { Poller } from "./poller.js";
import type { ReconcileFn } from "./reconciler.js";
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
}

export interface Running {
  server: RunningServer;
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
    },
    { host: opts.host, port: opts.port },
  );
  const poller = new Poller(opts.intervalMs, () => server.reconciler.request("poll"));
  server.reconciler
    .request("startup")
    .then(() => trigger && warnUnsetCartSecrets(opts.db, opts.env ?? process.env, opts.log))
    .catch(() => {});
  poller.start();
  let stopping: Promise<void> | undefined;
  return {
    server,
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

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}
