// The Policy document (schemas/policy.schema.json): rules every schedule must keep, so a pull request
// that breaks them fails `validate` in CI. Built-in platform limits: platform-limits.ts.
import { formatDuration, parseDuration } from "../platform/duration.js";
import type { Frequency, ServiceName } from "../schedule/model.js";
import { nextRunAfter } from "../schedule/next-runs.js";
import { PLATFORM_LIMITS, platformMinIntervalMs } from "./platform-limits.js";

export const FREQUENCY_FORMS = ["automatic", "off", "every", "cron", "at"] as const;
export type FrequencyForm = (typeof FREQUENCY_FORMS)[number];

/** A Policy document's spec, as the schema defines it (test/unit/schema-types.test.ts). */
export interface PolicySpec {
  allowedForms?: FrequencyForm[];
  minInterval?: {
    default?: string;
    services?: Partial<Record<ServiceName, string>>;
    connectionTags?: Record<string, string>;
  };
  maxAutomaticWindow?: string;
  platformLimits?: boolean;
}

/** The policy in force: its spec and where each rule is written ("file:line"). */
export interface Policy {
  spec: PolicySpec;
  /** `path` below spec, e.g. ["minInterval", "default"] → "schedules/policy.yaml:9". */
  ruleAt(path: readonly string[]): string;
}

/** One service's frequency as a Merchant, Cart or Defaults document sets it. */
export interface PolicyUse {
  service: ServiceName;
  freq: Frequency;
  /** The tags of the connection the service talks to. */
  tags: readonly string[];
  /** Set when the frequency is not written here: where it comes from. */
  inheritedFrom?: string;
  /** Only tag rules apply (the value comes from Defaults, where the other rules were checked). */
  tagRulesOnly?: boolean;
}

interface Minimum {
  ms: number;
  rule: string;
}

const ms = (text: string | undefined): number => {
  const d = text === undefined ? undefined : parseDuration(text);
  return d?.ok ? d.ms : 0;
};

/** The strictest minimum interval that applies to a use; undefined when none does. */
function minimumFor(policy: Policy | undefined, use: PolicyUse): Minimum | undefined {
  const spec = policy?.spec ?? {};
  const rules: Minimum[] = [];
  const at = (path: string[]) => `${path.join(".")} (${policy?.ruleAt(path)})`;
  const min = spec.minInterval ?? {};
  if (!use.tagRulesOnly) {
    if (min.default)
      rules.push({ ms: ms(min.default), rule: `policy rule ${at(["minInterval", "default"])}` });
    const svc = min.services?.[use.service];
    if (svc) rules.push({ ms: ms(svc), rule: `policy rule ${at(["minInterval", "services", use.service])}` });
  }
  for (const tag of use.tags) {
    const own = min.connectionTags?.[tag];
    if (own !== undefined) {
      rules.push({ ms: ms(own), rule: `policy rule ${at(["minInterval", "connectionTags", tag])}` });
      continue;
    }
    if (spec.platformLimits === false) continue;
    for (const limit of PLATFORM_LIMITS)
      if (limit.tag === tag && limit.services.includes(use.service))
        rules.push({
          ms: platformMinIntervalMs(limit),
          rule: `the built-in limit for connection tag "${tag}" (${limit.operation}: ${limit.requestsPerSecond} requests/s, ${limit.source}; override with Policy minInterval.connectionTags.${tag})`,
        });
  }
  return rules.filter((r) => r.ms > 0).sort((a, b) => b.ms - a.ms)[0];
}

const WEEK_MS = 7 * 86_400_000;
const MAX_RUNS = 2_000;

/**
 * The shortest time between two runs of a scheduled frequency, evaluated in UTC over a year or
 * MAX_RUNS runs (stopping early at the first gap below `floorMs`); undefined for automatic/off.
 */
export function shortestGapMs(freq: Frequency, floorMs: number): number | undefined {
  if (freq.kind === "every") return freq.ms;
  if (freq.kind === "at") {
    const mins = freq.times
      .map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5)))
      .sort((a, b) => a - b);
    const gaps = mins.map((m, i) =>
      i === 0 ? (mins[0] ?? 0) + 1440 - (mins.at(-1) ?? 0) : m - (mins[i - 1] ?? 0),
    );
    return Math.min(...gaps) * 60_000;
  }
  if (freq.kind !== "cron") return undefined;
  const key = `${freq.expr}|${floorMs}`;
  if (!cronGaps.has(key)) {
    if (cronGaps.size > 10_000) cronGaps.clear();
    cronGaps.set(key, cronGap(freq, floorMs));
  }
  return cronGaps.get(key);
}

// Thousands of schedules share a few crons; each gap costs up to MAX_RUNS evaluations.
const cronGaps = new Map<string, number | undefined>();

function cronGap(freq: Frequency, floorMs: number): number | undefined {
  let best = Number.POSITIVE_INFINITY;
  try {
    let last = nextRunAfter(freq, "UTC", new Date(Date.UTC(2026, 0, 1)));
    const end = (last?.getTime() ?? 0) + 53 * WEEK_MS;
    for (let i = 0; last && i < MAX_RUNS && last.getTime() < end && best >= floorMs; i++) {
      const next = nextRunAfter(freq, "UTC", last);
      if (!next) break;
      best = Math.min(best, next.getTime() - last.getTime());
      last = next;
    }
  } catch {
    // A cron cron-parser cannot evaluate was refused when it was parsed; nothing to measure here.
  }
  return Number.isFinite(best) ? best : undefined;
}

function shown(freq: Frequency): string {
  if (freq.kind === "every") return `every ${formatDuration(freq.ms)}`;
  if (freq.kind === "cron") return `cron "${freq.expr}"`;
  if (freq.kind === "at") return `at ${freq.times.join(", ")}`;
  return freq.kind;
}

/** What is wrong with one use under the policy (and the built-in platform limits); "" when nothing. */
export function policyProblem(policy: Policy | undefined, use: PolicyUse): string {
  const spec = policy?.spec ?? {};
  const from = use.inheritedFrom ? ` (from ${use.inheritedFrom})` : "";
  const allowed = spec.allowedForms;
  if (!use.tagRulesOnly && allowed && !allowed.includes(use.freq.kind))
    return `${shown(use.freq)}${from} is not allowed by policy rule allowedForms (${allowed.join(", ")}; ${policy?.ruleAt(["allowedForms"])}); use one of those forms`;
  const maxWindow = ms(spec.maxAutomaticWindow);
  if (!use.tagRulesOnly && use.freq.kind === "automatic" && maxWindow && use.freq.windowMs > maxWindow)
    return `automatic window ${formatDuration(use.freq.windowMs)}${from} is longer than policy rule maxAutomaticWindow allows (${formatDuration(maxWindow)}, ${policy?.ruleAt(["maxAutomaticWindow"])})`;
  const min = minimumFor(policy, use);
  if (!min) return "";
  const gap = shortestGapMs(use.freq, min.ms);
  if (gap === undefined || gap >= min.ms) return "";
  const runs = use.freq.kind === "every" ? "" : ` (runs as little as ${formatDuration(gap)} apart)`;
  return `${shown(use.freq)}${from}${runs} runs more often than ${min.rule} allows: at least ${formatDuration(min.ms)} between runs; use e.g. { every: ${formatDuration(min.ms)} }`;
}
