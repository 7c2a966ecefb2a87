// `history`: one line per apply (newest first), or the entries as JSON.
import type { HistoryEntry } from "../../reconcile/history.js";
import type { View } from "./view.js";

function entryText(e: HistoryEntry): string {
  const s = e.summary ? ` +${e.summary.create} ~${e.summary.update} -${e.summary.delete}` : "";
  const first = e.message.split("\n")[0] ?? "";
  const back = e.guards?.find((g) => g.guard === "rollback" && g.allowed);
  const extra = [
    back?.guard === "rollback" ? `\n    rollback from ${back.applied.slice(0, 12)}` : "",
    e.approval ? `\n    approved by ${e.approval.by || "(unnamed)"}: ${e.approval.allow.join(", ")}` : "",
    e.error ? `\n    error: ${e.error}` : "",
  ].join("");
  return `${e.startedAt.toISOString()}  ${e.revision.slice(0, 12)}  ${e.outcome.padEnd(8)}${s}  ${e.durationMs} ms  ${e.author}  ${first}${extra}`;
}

export const historyView: View<HistoryEntry[]> = {
  json: (entries) => entries,
  text: (entries) => (entries.length ? entries.map(entryText).join("\n") : "no applies recorded yet"),
};
