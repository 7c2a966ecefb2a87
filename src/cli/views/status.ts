// `status`: the applied revision and a table of the managed jobs, or the Status as JSON.
import type { Status } from "../../reconcile/status.js";
import { canonicalText } from "./frequency.js";
import type { View } from "./view.js";

/** Left-aligned columns two spaces apart, trailing spaces trimmed. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export const statusView: View<Status> = {
  json: (status) => status,
  text: (status) => {
    const head = status.revision
      ? `revision ${status.revision} applied ${status.appliedAt}`
      : "no revision applied yet (run `schedsync apply`)";
    const rows = status.jobs.map((j) => [
      j.key,
      canonicalText(j.frequency),
      j.nextRunAt ?? "-",
      j.lastRunAt ?? "-",
      j.state,
      j.lastFailureReason ? `${j.lastFailureAt ?? ""} ${j.lastFailureReason}` : "",
    ]);
    const head2 = ["KEY", "FREQUENCY", "NEXT RUN (UTC)", "LAST RUN (UTC)", "HEALTH", "LAST FAILURE"];
    const jobs = `${head}\n${table(head2, rows)}`;
    const counts = Object.entries(status.records ?? {}).filter(([, n]) => n > 0);
    return counts.length
      ? `${jobs}\nrecords: ${counts.map(([state, n]) => `${n} ${state}`).join(", ")}`
      : jobs;
  },
};
