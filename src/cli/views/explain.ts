// `explain`: each service's effective frequency (after defaults) and its next runs, in the
// merchant's timezone and in UTC, as text or JSON.
import type { ExplainTarget } from "../../config/explain.js";
import { formatFrequency } from "../../config/frequency.js";
import type { JobService } from "../../jobs/types.js";
import { formatDuration } from "../../platform/duration.js";
import { count as inWords } from "../../platform/words.js";
import { suspensionOf } from "../../reconcile/desired.js";
import type { Frequency } from "../../schedule/model.js";
import { nextRuns } from "../../schedule/next-runs.js";
import { serviceKey } from "../../schedule/phase.js";
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
    // From the job's phase (its key), so each call and `status` agree.
    const runs = nextRuns(f, tz, from, count, serviceKey(merchant.id, cart?.id ?? null, name));
    if (runs.length === 0) {
      lines.push(`  ${why(f)}`);
      continue;
    }
    lines.push(`  next ${inWords(runs.length, "run")} (${tz} | UTC):`);
    for (const r of runs)
      lines.push(
        `    ${localTime(r, tz)}  |  ${r
          .toISOString()
          .slice(0, r.getUTCSeconds() === 0 ? 16 : 19)
          .replace("T", " ")} UTC`,
      );
  }
  return lines.join("\n");
}

export const explainView: View<Explanation> = {
  text: ({ target, from, count }) => explainText(target, from, count),
  json: ({ ref, target, from, count }) => {
    const owner = target.cart ?? target.merchant;
    const tz = target.merchant.timezone;
    const services = Object.fromEntries(
      Object.entries(owner.services).map(([name, f]) => [
        name,
        {
          frequency: formatFrequency(f),
          text: frequencyText(f),
          next: nextRuns(f, tz, from, count, serviceKey(target.merchant.id, target.cart?.id ?? null, name)),
          suspended: suspensionOf(target.merchant, target.cart ?? null, name as JobService, from) ?? null,
        },
      ]),
    );
    return { target: ref, timezone: tz, suspended: owner.suspended, services };
  },
};
