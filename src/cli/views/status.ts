// `status`: the applied revision and a table of the managed jobs, or the Status as JSON.
import type { FieldChange, JobSuspension } from "../../jobs/types.js";
import { count } from "../../platform/words.js";
import type { JobStatus, Status } from "../../reconcile/status.js";
import { canonicalText } from "./frequency.js";
import { pausedText } from "./pause.js";
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

/** "suspended in YAML (merchant) until 2026-12-01T06:00:00.000Z: WMS migration". */
export function suspendedText(s: JobSuspension): string {
  return `suspended in YAML (${s.scope})${s.until ? ` until ${s.until}` : ""}${s.reason ? `: ${s.reason}` : ""}`;
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v ?? null));

/** "disabled: false → true, repeatInterval: 15 minutes → 1 hour". */
export function fieldsText(fields: readonly FieldChange[]): string {
  return fields.map((f) => `${f.field}: ${show(f.before)} → ${show(f.after)}`).join(", ");
}

/** The job's state beyond enabled/disabled: paused, suspended, edited by hand. */
export function stateText(j: JobStatus): string {
  const parts: string[] = [];
  if (j.paused) parts.push(pausedText(j.paused));
  if (j.suspended) parts.push(suspendedText(j.suspended));
  if (!j.paused && !j.suspended && j.disabled) parts.push("disabled");
  if (j.drift) parts.push(`drift (edited by hand: ${fieldsText(j.drift)})`);
  if (j.blackout) parts.push(`blackout until ${j.blackout.until} (${j.blackout.window})`);
  else if (j.lastBlackout && j.lastBlackout.until.getTime() > Date.now())
    parts.push(`run moved by a blackout to ${j.lastBlackout.until.toISOString()}`);
  return parts.join("; ");
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
      stateText(j),
      j.lastFailureReason ? `${j.lastFailureAt ?? ""} ${j.lastFailureReason}` : "",
    ]);
    const notes = [
      ...status.pauses.map((p) => `pause ${p.target}: ${pausedText(p)} (\`schedsync resume ${p.target}\`)`),
      ...(status.drifted > 0
        ? [`drift: ${count(status.drifted, "job")} edited by hand; the next apply reverts them (git wins)`]
        : []),
    ];
    const counts = Object.entries(status.records ?? {}).filter(([, n]) => n > 0);
    if (counts.length) notes.push(`records: ${counts.map(([state, n]) => `${n} ${state}`).join(", ")}`);
    return [
      head,
      table(
        ["KEY", "FREQUENCY", "NEXT RUN (UTC)", "LAST RUN (UTC)", "HEALTH", "STATE", "LAST FAILURE"],
        rows,
      ),
      ...notes,
    ].join("\n");
  },
};
