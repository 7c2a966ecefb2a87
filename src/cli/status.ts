// `schedsync status`: the applied revision and the managed jobs.
import type { Command } from "commander";
import { canonicalText } from "../config/explain.js";
import { readStatus } from "../reconcile/status.js";
import { addStaleAfterOption, parseStaleAfter } from "./operator-options.js";
import { withStore } from "./reconcile-options.js";

export function register(program: Command): void {
  addStaleAfterOption(
    program
      .command("status")
      .description(
        "Show the applied revision and every managed job with its frequency, run times, health (ok, failing, " +
          "stale, suspended, idle) and last failure.",
      )
      .option("--merchant <id>", "only this merchant's jobs"),
  )
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
JSON: {"revision", "appliedAt", "jobs": [{"key", "frequency", "nextRunAt", "lastRunAt", "disabled", "state",
"lastSuccessAt", "lastFailureAt", "lastFailureReason", "consecutiveFailures", "staleAt"}]}
(frequency in the YAML's canonical form; nextRunAt is null for automatic services). A job is stale when
it had no success in --stale-after of its scheduled runs (docs/operations.md).`,
    )
    .action(async (o: { json?: boolean; merchant?: string; staleAfter: string }) => {
      const staleAfterRuns = parseStaleAfter(o.staleAfter);
      const status = await withStore(o.json, (store) =>
        readStatus(store.db, { merchant: o.merchant, staleAfterRuns }),
      );
      if (o.json) {
        console.log(JSON.stringify(status, null, 2));
        return;
      }
      console.log(
        status.revision
          ? `revision ${status.revision} applied ${status.appliedAt}`
          : "no revision applied yet (run `schedsync apply`)",
      );
      const rows = status.jobs.map((j) => [
        j.key,
        canonicalText(j.frequency),
        j.nextRunAt ?? "-",
        j.lastRunAt ?? "-",
        j.state,
        j.lastFailureReason ? `${j.lastFailureAt ?? ""} ${j.lastFailureReason}` : "",
      ]);
      const head = ["KEY", "FREQUENCY", "NEXT RUN (UTC)", "LAST RUN (UTC)", "HEALTH", "LAST FAILURE"];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
      for (const r of [head, ...rows])
        console.log(
          r
            .map((c, i) => c.padEnd(widths[i] ?? 0))
            .join("  ")
            .trimEnd(),
        );
    });
}
