// `explain`: each service's effective frequency (after defaults) and its next runs.
import { stringify } from "yaml";
import { formatDuration } from "../platform/duration.js";
import type { CartModel, Frequency, MerchantModel, ScheduleModel } from "../schedule/model.js";
import { nextRuns } from "../schedule/next-runs.js";
import { formatFrequency } from "./frequency.js";

export interface ExplainTarget {
  merchant: MerchantModel;
  cart?: CartModel;
}

/** Finds "acme" or "acme/shopify-us"; the error names what exists. */
export function findTarget(model: ScheduleModel, ref: string): ExplainTarget | string {
  const [merchantId = "", cartId, extra] = ref.split("/");
  if (extra !== undefined) return `"${ref}" is not <merchant> or <merchant>/<cart>`;
  const merchant = model.merchants.find((m) => m.id === merchantId);
  const known = (ids: string[]) => (ids.length ? ids.sort().join(", ") : "none");
  if (!merchant) return `no merchant "${merchantId}" (merchants: ${known(model.merchants.map((m) => m.id))})`;
  if (cartId === undefined) return { merchant };
  const cart = merchant.carts.find((c) => c.id === cartId);
  if (!cart)
    return `merchant "${merchant.id}" has no cart "${cartId}" (carts: ${known(merchant.carts.map((c) => c.id))})`;
  return { merchant, cart };
}

/** Frequency as one line of YAML flow text: automatic, { every: 30m }, ... */
export function frequencyText(f: Frequency): string {
  return canonicalText(formatFrequency(f));
}

/** A canonical frequency value (formatFrequency's output) on one line, as it would be written in YAML. */
export function canonicalText(value: unknown): string {
  if (typeof value === "string") return value;
  return stringify(value, {
    collectionStyle: "flow",
    defaultStringType: "QUOTE_DOUBLE",
    defaultKeyType: "PLAIN",
  }).trim();
}

function localTime(d: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    weekday: "short",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("weekday")} ${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")} ${get("timeZoneName")}`;
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
  if (!cart)
    lines.push(
      `  cleanup: ${merchant.cleanupRunsPerDay} run${merchant.cleanupRunsPerDay === 1 ? "" : "s"} a day`,
    );
  const services = Object.entries(cart ? cart.services : merchant.services) as [string, Frequency][];
  for (const [name, f] of services) {
    lines.push("", `${name}: ${frequencyText(f)}`);
    const runs = nextRuns(f, tz, from, count);
    if (runs.length === 0) {
      lines.push(`  ${why(f)}`);
      continue;
    }
    lines.push(`  next ${runs.length} runs (${tz} | UTC):`);
    for (const r of runs)
      lines.push(`    ${localTime(r, tz)}  |  ${r.toISOString().slice(0, 16).replace("T", " ")} UTC`);
  }
  return lines.join("\n");
}
