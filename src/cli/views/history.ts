// `history`: one line per apply (newest first), or the entries as JSON.
import type { HistoryEntry } from "../../reconcile/history.js";
import type { View } from "./view.js";

function entryText(e: HistoryEntry): string {
  const s = e.summary ? ` +${e.summary.create} ~${e.summary.update} -${e.summary.delete}` : "";
  const first = e.message.split("\n")[0] ?? "";
  const error = e.error ? `\n    error: ${e.error}` : "";
  return `${e.startedAt.toISOString()}  ${e.revision.slice(0, 12)}  ${e.outcome.padEnd(8)}${s}  ${e.durationMs} ms  ${e.author}  ${first}${error}`;
}

export const historyView: View<HistoryEntry[]> = {
  json: (entries) => entries,
  text: (entries) => (entries.length ? entries.map(entryText).join("\n") : "no applies recorded yet"),
};
