// `schedsync serve`: the long-running reconciler with webhook, health, metrics and status page.
import type { Command } from "commander";
import { parseInterval } from "../platform/duration.js";
import { createLogger } from "../platform/log.js";
import { createMetrics } from "../platform/metrics.js";
import { BindRefusedError } from "../server/app.js";
import { engineReconcile } from "../server/engine-adapter.js";
import { recordsCounter } from "../server/record-counts.js";
import { runServer, untilSignal } from "../server/run-server.js";
import { openStore } from "../store/index.js";
import { CliError } from "./errors.js";
import { parseRecheck, RECHECK_HELP } from "./reconcile-options.js";

interface ServeOptions {
  host: string;
  port: string;
  interval: string;
  repo?: string;
  ref: string;
  dir: string;
  branch?: string;
  recheckAfter: string;
  agendash: boolean;
}

export function register(program: Command): void {
  program
    .command("serve")
    .description(
      "Run the reconciler as a service: apply new revisions of --ref every --interval and on GitHub push " +
        "webhooks, and serve /healthz, /readyz, /metrics, a status page at / and Agendash at /agendash.",
    )
    .option(
      "--host <address>",
      "address to listen on (non-loopback needs SCHEDSYNC_UI_PASSWORD)",
      "127.0.0.1",
    )
    .option("--port <n>", "port to listen on (0 picks a free one)", "8080")
    .option("--interval <duration>", "poll interval, with ±10% jitter (e.g. 30s, 5m)", "60s")
    .option("--repo <path|url>", "git repository with the schedules (default: the current one)")
    .option("--ref <ref>", "branch, tag or commit to apply", "HEAD")
    .option("--dir <path>", "schedules directory inside the repo", "schedules")
    .option("--branch <name>", "branch whose webhook pushes trigger a reconcile (default: --ref, or main)")
    .option("--recheck-after <duration>", RECHECK_HELP, "15m")
    .option("--no-agendash", "do not mount Agendash at /agendash")
    .addHelpText(
      "after",
      `
Environment:
  SCHEDSYNC_WEBHOOK_SECRET  secret of the GitHub webhook (POST /hooks/github); without it webhooks get 401
  SCHEDSYNC_UI_PASSWORD     protects / and /agendash (basic auth with any user, or Bearer <password>)
  MONGODB_URI               the store (default: the embedded FerretDB)

Examples:
  $ schedsync serve --ref main --interval 2m
  $ SCHEDSYNC_UI_PASSWORD=… schedsync serve --host 0.0.0.0 --repo https://github.com/acme/schedules.git --ref main

GitHub: add a webhook to https://<host>/hooks/github, content type application/json, the same secret,
"Just the push event". Prometheus: scrape /metrics.`,
    )
    .action(async (o: ServeOptions) => serve(o));
}

async function serve(o: ServeOptions): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`bad --port ${o.port}`);
  let intervalMs: number;
  try {
    intervalMs = parseInterval(o.interval);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const recheckAfterMs = parseRecheck(o.recheckAfter);
  const log = createLogger();
  const store = await openStore({ log: (line) => log.info(line) });
  try {
    const target = { repo: o.repo, ref: o.ref, dir: o.dir };
    const running = await runServer({
      metrics: createMetrics(),
      db: store.db,
      storeUri: store.displayUri,
      host: o.host,
      port,
      intervalMs,
      branch: o.branch ?? (o.ref === "HEAD" ? "main" : o.ref),
      reconcile: engineReconcile(store, target, (line) => log.info(line), recheckAfterMs),
      log,
      records: recordsCounter(),
      agendash: o.agendash,
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
