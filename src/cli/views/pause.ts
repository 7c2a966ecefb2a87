// `pause` and `resume`: what was paused or resumed, by whom, since when, and the jobs it holds.
import type { Pause } from "../../jobs/pauses.js";
import { count } from "../../platform/words.js";
import type { PauseResult } from "../../reconcile/pause.js";
import type { View } from "./view.js";

/** "paused (by alice since 2026-11-30T18:00:00.000Z until …: WMS down)", as plan and status show it. */
export function pausedText(p: Pick<Pause, "by" | "since" | "until" | "reason">): string {
  return `paused (by ${p.by} since ${p.since}${p.until ? ` until ${p.until}` : ""}: ${p.reason})`;
}

export const pauseView: View<PauseResult> = {
  json: (r) => r,
  text: (r) =>
    [
      `${r.pause.target} ${pausedText(r.pause)}`,
      `holds ${count(r.keys.length, "job")}:`,
      ...r.keys.map((k) => `  ${k}`),
    ].join("\n"),
};

export const resumeView: View<PauseResult> = {
  json: (r) => r,
  text: (r) =>
    [
      `${r.pause.target} resumed (was ${pausedText(r.pause)})`,
      `released ${count(r.keys.length, "job")}${r.keys.length ? ":" : ""}`,
      ...r.keys.map((k) => `  ${k}`),
      "Held git changes are applied by the next apply (`schedsync plan` shows them).",
    ].join("\n"),
};
