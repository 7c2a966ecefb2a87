// `explain`: each service's effective frequency (after defaults) and its next runs, in the
// merchant's timezone and in UTC, as text or JSON.
import type { ExplainTarget } from "../../config/explain.js";
import { formatFrequency } from "../../config/frequency.js";
import type { JobService } from "../../jobs/types.js";
import { formatDuration } from "../../platform/duration.js";
import { count as inWords } from "../../platform/words.js";
import { suspensionOf } from "../../reconcile/desired.js";
import { blackoutAt, describeWindow, nextBlackout } from "../../schedule/blackout.js";
import { blackoutOf, type PlannedRun, plannedRuns } from "../../schedule/blackout-runs.js";
import type { BlackoutWindow, Frequency } from "../../schedule/model.js";
import { resolvePhase, serviceKey } from "../../schedule/phase.js";
import { frequencyText } from "./frequency.js";
import { suspendedText } from "./status.js";
import type { View } from "./view.js";

export interface Explanation {
  /** The reference as given, e.g. "acme/shopify-us". */
  ref: string;
  target: ExplainTarget;
  /** Runs are listed after this instant. */
  from: Date;
  /** How many next runs per service. */
  count: number;
}

function localTime(d: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    weekday: "short",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  // Seconds only when a spread phase (offset: H, H in cron) puts the run off the minute.
  const sec = d.getUTCSeconds() === 0 ? "" : `:${get("second")}`;
  return `${get("weekday")} ${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}${sec} ${get("timeZoneName")}`;
}

/** The next `count` runs of a service after `from`, moved out of its blackout windows. */
function runsOf(
  target: ExplainTarget,
  service: string,
  f: Frequency,
  from: Date,
  count: number,
): PlannedRun[] {
  const { merchant, cart } = target;
  const tz = merchant.timezone;
  // From the job's phase (its key), so each call and `status` agree.
  const freq = resolvePhase(f, serviceKey(merchant.id, cart?.id ?? null, service));
  const windows = blackoutOf(merchant, cart ?? null, service);
  const out: PlannedRun[] = [];
  const held = (t: number) => {
    const b = blackoutAt(windows, tz, new Date(t));
    return b ? { end: b.end.getTime(), window: b.window } : undefined;
  };
  for (const r of plannedRuns(freq, tz, from.getTime(), Number.POSITIVE_INFINITY, held)) {
    out.push(r);
    if (out.length >= count) break;
  }
  return out;
}

function utcText(r: Date): string {
  return `${r
    .toISOString()
    .slice(0, r.getUTCSeconds() === 0 ? 16 : 19)
    .replace("T", " ")} UTC`;
}

/** The owner's windows, each with where it comes from and its next occurrence. */
function blackoutLines(windows: readonly BlackoutWindow[], tz: string, from: Date): string[] {
  if (!windows.length) return [];
  const lines = [
    "",
    "blackout windows (no transmission starts inside; a run due inside runs once at the end):",
  ];
  for (const w of windows) {
    const next = blackoutAt([w], tz, from) ?? nextBlackout([w], tz, from);
    const when = next
      ? `${next.start <= from ? "now, " : `next ${localTime(next.start, tz)} `}until ${localTime(next.end, tz)}`
      : "no occurrence ahead";
    lines.push(`  ${describeWindow(w)}  [${w.owner}]`, `    ${when}`);
  }
  return lines;
}

function why(f: Frequency): string {
  if (f.kind === "off") return "no job";
  if (f.kind === "automatic")
    return `runs as soon as records arrive (gathered for ${formatDuration(f.windowMs)}, at most ${f.maxBatch} a batch)`;
  return "";
}

export function explainText(target: ExplainTarget, from: Date, count = 5): string {
  const { merchant, cart } = target;
  const tz = merchant.timezone;
  const head = cart ? `Cart ${merchant.id}/${cart.id}` : `Merchant ${merchant.id}`;
  const suspended = cart ? cart.suspended : merchant.suspended;
  const lines = [
    `${head}${(cart ?? merchant).name ? ` (${(cart ?? merchant).name})` : ""}`,
    `  timezone: ${tz}${suspended ? "\n  SUSPENDED: jobs exist but are disabled" : ""}`,
    `  defined at: ${(cart ?? merchant).source.file}:${(cart ?? merchant).source.line}`,
  ];
  if (!cart) lines.push(`  cleanup: ${inWords(merchant.cleanupRunsPerDay, "run")} a day`);
  const services = Object.entries(cart ? cart.services : merchant.services) as [string, Frequency][];
  for (const [name, f] of services) {
    lines.push("", `${name}: ${frequencyText(f)}`);
    const held = suspensionOf(merchant, cart ?? null, name as JobService, from);
    if (held) lines.push(`  ${suspendedText(held)}: the job exists but is disabled`);
    const runs = runsOf(target, name, f, from, count);
    if (runs.length === 0) {
      lines.push(`  ${why(f)}`);
      if (f.kind === "automatic" && blackoutOf(merchant, cart ?? null, name))
        lines.push("  records arriving inside a blackout window wait for its end");
      continue;
    }
    lines.push(`  next ${inWords(runs.length, "run")} (${tz} | UTC):`);
    for (const r of runs) {
      const at = new Date(r.at);
      const moved = r.moved
        ? `  (blackout: moved from ${localTime(new Date(r.moved.due), tz)}${r.moved.runs > 1 ? `, ${r.moved.runs} runs as one` : ""})`
        : "";
      lines.push(`    ${localTime(at, tz)}  |  ${utcText(at)}${moved}`);
    }
  }
  lines.push(...blackoutLines((cart ?? merchant).blackout ?? [], tz, from));
  return lines.join("\n");
}

export const explainView: View<Explanation> = {
  text: ({ target, from, count }) => explainText(target, from, count),
  json: ({ ref, target, from, count }) => {
    const owner = target.cart ?? target.merchant;
    const tz = target.merchant.timezone;
    const services = Object.fromEntries(
      Object.entries(owner.services).map(([name, f]) => {
        const runs = runsOf(target, name, f, from, count);
        const moved = runs.flatMap((r) =>
          r.moved
            ? [
                {
                  at: new Date(r.at),
                  due: new Date(r.moved.due),
                  runs: r.moved.runs,
                  window: describeWindow(r.moved.window),
                },
              ]
            : [],
        );
        return [
          name,
          {
            frequency: formatFrequency(f),
            text: frequencyText(f),
            next: runs.map((r) => new Date(r.at)),
            // Runs a blackout window moved: when, when they were due, how many, which window.
            moved,
            suspended: suspensionOf(target.merchant, target.cart ?? null, name as JobService, from) ?? null,
          },
        ];
      }),
    );
    const blackout = (owner.blackout ?? []).map((w) => {
      const next = blackoutAt([w], tz, from) ?? nextBlackout([w], tz, from);
      return { ...w, text: describeWindow(w), next: next ? { start: next.start, end: next.end } : null };
    });
    return { target: ref, timezone: tz, suspended: owner.suspended, services, blackout };
  },
};
