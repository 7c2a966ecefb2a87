// The HTTP server of `schedsync serve`/`start`, on node:http: the GitHub webhook, health, metrics,
// the status page and Agendash (the only part that needs express).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "mongodb";
import { DEFAULT_STALE_AFTER_RUNS, healthState } from "../jobs/freshness.js";
import { readJobHealth } from "../jobs/health.js";
import { countJobs } from "../jobs/repository.js";
import type { Logger } from "../platform/log.js";
import { createMetrics, type Metrics } from "../platform/metrics.js";
import type { Notify } from "../platform/notify.js";
import { authorized, isLoopback } from "./auth.js";
import { CART_HOOK_PREFIX, cartHookHandler, type TriggerDownload } from "./cart-hooks.js";
import { pingStore } from "./readiness.js";
import { type ReconcileFn, Reconciler } from "./reconciler.js";
import { type RecordsCounter, recordGauge } from "./record-counts.js";
import { gatherStatus } from "./status-data.js";
import { renderStatusPage } from "./status-page.js";
import { DeliveryCache, decide, HttpError, MAX_BODY_BYTES, readBody, verifySignature } from "./webhook.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ServerOptions {
  db: Db;
  /** The store's URI with its password hidden. */
  storeUri: string;
  reconcile: ReconcileFn;
  log: Logger;
  /** The branch whose pushes trigger a reconcile (default "main"). */
  branch?: string;
  /** Default: SCHEDSYNC_WEBHOOK_SECRET. Without one every webhook is refused. */
  webhookSecret?: string;
  /** Default: SCHEDSYNC_UI_PASSWORD. */
  uiPassword?: string;
  records?: RecordsCounter;
  /** The process's metrics (shared with its workers); default: a registry of this server's own. */
  metrics?: Metrics;
  /** A request handler for /agendash (see agendash.ts); omitted: no Agendash. */
  agendash?: Handler;
  maxBodyBytes?: number;
  env?: NodeJS.ProcessEnv;
  /** Runs a cart's orderDownload on demand; omitted: carts' webhooks (/hooks/carts/...) are 404. */
  triggerDownload?: TriggerDownload;
  /** k of the staleness rule (jobs/health.ts); default 3. */
  staleAfterRuns?: number;
  /** Operator notifications (failed applies); default: none. */
  notify?: Notify;
  /**
   * How long a store ping may take (ms) before /readyz and the status page call the store
   * unreachable and /metrics skips its store-backed gauges. Default: 1,500 for /readyz and the
   * page, 1,000 for the gauges.
   */
  pingTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  reconciler: Reconciler;
  close(): Promise<void>;
}

export class BindRefusedError extends Error {}

function send(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, `${JSON.stringify(body)}\n`, "application/json");
}

export async function startServer(
  opts: ServerOptions,
  listen: { host: string; port: number },
): Promise<RunningServer> {
  const env = opts.env ?? process.env;
  const secret = opts.webhookSecret ?? env.SCHEDSYNC_WEBHOOK_SECRET ?? "";
  const password = opts.uiPassword ?? env.SCHEDSYNC_UI_PASSWORD ?? "";
  if (!isLoopback(listen.host) && !password)
    throw new BindRefusedError(
      `refusing to listen on ${listen.host} without SCHEDSYNC_UI_PASSWORD (the status page and Agendash would be open)`,
    );
  const log = opts.log;
  const branch = opts.branch ?? "main";
  const metrics = opts.metrics ?? createMetrics();
  const reconciler = new Reconciler(opts.reconcile, log, metrics, opts.notify);
  const staleAfterRuns = opts.staleAfterRuns ?? DEFAULT_STALE_AFTER_RUNS;
  const deliveries = new DeliveryCache();
  const triggerDownload = opts.triggerDownload;
  const cartHook = triggerDownload
    ? cartHookHandler({ db: opts.db, log, env, trigger: triggerDownload, maxBodyBytes: opts.maxBodyBytes })
    : undefined;

  async function webhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") return send(res, 405, "POST only\n");
    const body = await readBody(req, opts.maxBodyBytes ?? MAX_BODY_BYTES);
    const signature = req.headers["x-hub-signature-256"];
    if (!verifySignature(secret, body, typeof signature === "string" ? signature : undefined)) {
      metrics.countWebhook("unauthorized");
      log.warn({ delivery: req.headers["x-github-delivery"] }, "webhook with a bad or missing signature");
      return send(res, 401, "bad signature\n");
    }
    const delivery = String(req.headers["x-github-delivery"] ?? "");
    if (delivery && !deliveries.add(delivery)) {
      metrics.countWebhook("replay");
      return json(res, 200, { ignored: "replayed delivery" });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      throw new HttpError(400, "body is not JSON");
    }
    const event = req.headers["x-github-event"];
    const decision = decide(typeof event === "string" ? event : undefined, payload, branch);
    if (decision.action === "ignore") {
      metrics.countWebhook("ignored");
      log.info({ delivery, reason: decision.reason }, "webhook ignored");
      return json(res, 200, { ignored: decision.reason });
    }
    metrics.countWebhook("accepted");
    log.info({ delivery, after: decision.after }, "webhook push accepted");
    reconciler.request("webhook").catch(() => {});
    return json(res, 202, { queued: true });
  }

  // Gauges come from the store at scrape time; a store that is down keeps the last values.
  const fromStore =
    <T>(read: () => Promise<T>) =>
    async (): Promise<T | undefined> => {
      if (!(await pingStore(opts.db, opts.pingTimeoutMs ?? 1_000))) return undefined;
      try {
        return await read();
      } catch (err) {
        log.warn({ err: String(err) }, "metrics collection failed");
        return undefined;
      }
    };
  metrics.readFrom({
    jobs: fromStore(async () =>
      Object.entries(await countJobs(opts.db)).map(([state, value]) => ({ labels: { state }, value })),
    ),
    records: opts.records
      ? fromStore(async () => recordGauge(await (opts.records as RecordsCounter)(opts.db)))
      : undefined,
    jobHealth: fromStore(async () => {
      const now = new Date();
      return (await readJobHealth(opts.db)).map((j) => ({
        labels: { merchant: j.merchantId, cart: j.cartId ?? "", service: j.service },
        lastSuccessSeconds: j.health.lastSuccessAt ? j.health.lastSuccessAt.getTime() / 1000 : undefined,
        stale: healthState(j, now, staleAfterRuns) === "stale" ? 1 : 0,
        consecutiveFailures: j.health.consecutiveFailures,
      }));
    }),
  });

  async function metricsPage(res: ServerResponse): Promise<void> {
    const { text, contentType } = await metrics.render();
    send(res, 200, text, contentType);
  }

  async function readyz(res: ServerResponse): Promise<void> {
    const store = await pingStore(opts.db, opts.pingTimeoutMs);
    const ready = store && reconciler.healthy;
    const last = reconciler.last;
    json(res, ready ? 200 : 503, {
      ready,
      store: store ? "reachable" : "unreachable",
      lastReconcile: last ? { outcome: last.outcome, revision: last.revision, at: last.at } : null,
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/hooks/github") return webhook(req, res);
    if (cartHook && path.startsWith(CART_HOOK_PREFIX)) return cartHook(req, res, path);
    if (path === "/healthz") return json(res, 200, { ok: true });
    if (path === "/readyz") return readyz(res);
    if (path === "/metrics") return metricsPage(res);
    if (path === "/" || path === "/agendash" || path.startsWith("/agendash/")) {
      if (!authorized(req, password)) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="schedsync", charset="UTF-8"' });
        res.end("authentication required\n");
        return;
      }
      if (path === "/") {
        const data = await gatherStatus({
          db: opts.db,
          storeUri: opts.storeUri,
          last: reconciler.last,
          records: opts.records,
          agendash: !!opts.agendash,
          staleAfterRuns,
          ...(opts.pingTimeoutMs === undefined ? {} : { pingTimeoutMs: opts.pingTimeoutMs }),
        });
        return send(res, 200, renderStatusPage(data), "text/html; charset=utf-8");
      }
      if (!opts.agendash) return send(res, 404, "Agendash is not enabled\n");
      if (path === "/agendash") {
        res.writeHead(302, { location: "/agendash/" });
        res.end();
        return;
      }
      return opts.agendash(req, res);
    }
    send(res, 404, "not found\n");
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log.error({ err: String(err), url: req.url }, "request failed");
      if (!res.headersSent)
        send(res, status, `${err instanceof HttpError ? err.message : "internal error"}\n`);
      else res.end();
      // A rejected oversized upload: stop reading it.
      if (status === 413) req.destroy();
    });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${hostForUrl}:${port}/`,
    port,
    server,
    reconciler,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await reconciler.stop();
    },
  };
}
