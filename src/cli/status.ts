// `schedsync status`: the applied revision and the managed jobs.
import type { Command } from "commander";
import { canonicalText } from "../config/explain.js";
import { readStatus } from "../reconcile/status.js";
import { withStore } from "./reconcile-options.js";

export function register(program: Command): void {
  program
    .command("status")
    .description("Show the applied revision and every managed job with its frequency and run times.")
    .option("--merchant <id>", "only this merchant's jobs")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
JSON: {"revision", "appliedAt", "jobs": [{"key", "frequency", "nextRunAt", "lastRunAt", "lastFinishedAt",
"failedAt", "disabled"}], "records": {"pending", "inflight", "delivered", "failed", "skipped", "held"}}
(frequency in the YAML's canonical form; nextRunAt is null for automatic services; lastRunAt counts
every run of the key: scheduled, triggered or \`schedsync run\`; records counts deliveries by state,
\`held\` ones wait for \`schedsync resend\`).`,
    )
    .action(async (o: { json?: boolean; merchant?: string }) => {
      const status = await withStore(o.json, (store) => readStatus(store.db, { merchant: o.merchant }));
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
        j.disabled ? "disabled" : "",
      ]);
      const head = ["KEY", "FREQUENCY", "NEXT RUN (UTC)", "LAST RUN (UTC)", ""];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
      for (const r of [head, ...rows])
        console.log(
          r
            .map((c, i) => c.padEnd(widths[i] ?? 0))
            .join("  ")
            .trimEnd(),
        );
      const counts = Object.entries(status.records).filter(([, n]) => n > 0);
      if (counts.length) console.log(`records: ${counts.map(([state, n]) => `${n} ${state}`).join(", ")}`);
    });
}
