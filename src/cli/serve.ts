// `schedsync serve`: the long-running reconciler with webhook, health, metrics and status page.
import type { Command } from "commander";
import { notifyOption, staleAfterOption } from "./operator-options.js";
import { durationOption, intOption, refOption } from "./option-types.js";
import { recheckOption } from "./reconcile-options.js";
import type { ServeOptions } from "./serving.js";

/** A TCP port; 8080 unless given. */
export const PORT = { min: 0, max: 65_535, default: 8080 };

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
    .addOption(intOption("--port <n>", "port to listen on (0 picks a free one)", PORT))
    .addOption(
      durationOption("--interval <duration>", "poll interval, with ±10% jitter (e.g. 30s, 5m)", {
        default: "60s",
      }),
    )
    .option("--repo <path|url>", "git repository with the schedules (default: the current one)")
    .addOption(refOption("--ref <ref>", "branch, tag or commit to apply", "HEAD"))
    .option("--dir <path>", "schedules directory inside the repo", "schedules")
    .option("--branch <name>", "branch whose webhook pushes trigger a reconcile (default: --ref, or main)")
    .addOption(recheckOption("15m"))
    .option("--no-agendash", "do not mount Agendash at /agendash")
    .addOption(staleAfterOption())
    .addOption(notifyOption())
    .addHelpText(
      "after",
      `
Environment:
  SCHEDSYNC_WEBHOOK_SECRET  secret of the GitHub webhook (POST /hooks/github);
                            without it webhooks get 401
  SCHEDSYNC_UI_PASSWORD     protects / and /agendash (basic auth with any
                            user, or Bearer <password>)
  MONGODB_URI               the store (default: the embedded FerretDB)
  <cart's webhook.secretEnv> secret of a cart's order webhook
                            (POST /hooks/carts/<merchant>/<cart>)

Examples:
  $ npx schedsync serve --ref main --interval 2m
  $ SCHEDSYNC_UI_PASSWORD=… npx schedsync serve --host 0.0.0.0 \\
      --repo https://github.com/acme/schedules.git --ref main

GitHub: add a webhook to https://<host>/hooks/github, content type
application/json, the same secret, "Just the push event". Prometheus: scrape
/metrics.

Stopping: Ctrl-C or SIGTERM lets a running reconcile finish, closes the
HTTP server and the store, and logs "stopped".`,
    )
    .action(async (o: ServeOptions) => (await import("./serving.js")).serve(o));
}
