// `schedsync status`: the applied revision and the managed jobs.
import type { Command } from "commander";
import { CliError } from "./errors.js";
import { staleAfterOption } from "./operator-options.js";

export function register(program: Command): void {
  program
    .command("status")
    .description(
      "Show the applied revision and every managed job with its frequency, run times, health (ok, " +
        "failing, stale, suspended, idle), last failure and state: paused (schedsync pause), " +
        "suspended in YAML, or edited by hand (drift, field: before → after).",
    )
    .option("--merchant <id>", "only this merchant's jobs (an error if it has none)")
    .addOption(staleAfterOption())
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
JSON: {"revision", "appliedAt", "jobs": [{"key", "frequency", "nextRunAt",
"lastRunAt", "lastFinishedAt", "failedAt", "disabled", "state", "lastSuccessAt",
"lastFailureAt", "lastFailureReason", "consecutiveFailures", "staleAt",
"suspended"?, "paused"?, "drift"?}], "records": {"pending", "inflight",
"delivered", "failed", "skipped", "held"}, "pauses", "drifted"} (frequency in
the YAML's canonical form; nextRunAt is null for automatic services; lastRunAt
counts every run of the key: scheduled, triggered or \`schedsync run\`; records
counts deliveries by state, \`held\` ones wait for \`schedsync resend\`;
suspended: {reason, until, scope}; paused: {target, by, reason, since, until};
drift: [{field, before, after}], the hand edits; drifted: how many jobs have
them). A job is stale when it had no success in --stale-after of its scheduled
runs (docs/operations.md).

Examples:
  $ npx schedsync status
  $ npx schedsync status --merchant acme --stale-after 5
  $ npx schedsync status --json

Exit codes: 0 ok, 1 error (store down, a --merchant with no jobs).`,
    )
    .action(async (o: { json?: boolean; merchant?: string; staleAfter: number }) => {
      const staleAfterRuns = o.staleAfter;
      const [{ readStatus }, { withStore }, { statusView }, { render }] = await Promise.all([
        import("../reconcile/status.js"),
        import("./store-session.js"),
        import("./views/status.js"),
        import("./views/view.js"),
      ]);
      const status = await withStore(o.json, async (store) => {
        const found = await readStatus(store.db, { merchant: o.merchant, staleAfterRuns });
        if (o.merchant === undefined || found.jobs.length > 0) return found;
        // Nothing for that merchant: name the ones that have jobs (this read happens only here).
        const all = await readStatus(store.db);
        const ids = [...new Set(all.jobs.map((j) => j.key.split("/")[0]))].sort();
        throw new CliError(
          `no jobs for merchant "${o.merchant}" (merchants with jobs: ${ids.join(", ") || "none"})`,
        );
      });
      render(statusView, status, o);
    });
}
