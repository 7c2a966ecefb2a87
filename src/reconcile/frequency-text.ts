// Canonical YAML text of a frequency. Stand-in until src/config/frequency.ts (formatFrequency) lands;
// then this file should re-export that one so plans and `explain` print the same text.
import { DEFAULT_AUTOMATIC_MAX_BATCH, DEFAULT_AUTOMATIC_WINDOW_MS, type Frequency } from "../config/model.js";

function durationText(ms: number): string {
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function formatFrequency(freq: Frequency): string {
  switch (freq.kind) {
    case "off":
      return "off";
    case "automatic":
      if (freq.windowMs === DEFAULT_AUTOMATIC_WINDOW_MS && freq.maxBatch === DEFAULT_AUTOMATIC_MAX_BATCH) {
        return "automatic";
      }
      return `{ automatic: { window: ${durationText(freq.windowMs)}, maxBatch: ${freq.maxBatch} } }`;
    case "every":
      return `{ every: ${freq.text} }`;
    case "cron":
      return `{ cron: ${JSON.stringify(freq.expr)} }`;
    case "at":
      return `{ at: [${freq.times.map((t) => JSON.stringify(t)).join(", ")}] }`;
  }
}
