// Frequencies: YAML value → Frequency (with messages a person can act on) and back.
import { formatDuration, parseDuration } from "../platform/duration.js";
import { parseCron } from "../schedule/cron.js";
import {
  AUTOMATIC_SERVICES,
  DEFAULT_AUTOMATIC_MAX_BATCH,
  DEFAULT_AUTOMATIC_WINDOW_MS,
  type Frequency,
  type ServiceName,
} from "../schedule/model.js";
import { checkDuration, type DurationRange } from "./duration-hints.js";

export const MIN_EVERY_MS = 60_000;
export const MAX_EVERY_MS = 7 * 86_400_000;
export const MAX_WINDOW_MS = 10 * 60_000;
export const MAX_BATCH = 10_000;
export const MAX_AT_TIMES = 48;
const EVERY_RANGE: DurationRange = {
  minMs: MIN_EVERY_MS,
  maxMs: MAX_EVERY_MS,
  stepMs: MIN_EVERY_MS,
  examples: ["15m", "1h30m", "1d"],
};
const WINDOW_RANGE: DurationRange = {
  minMs: 0,
  maxMs: MAX_WINDOW_MS,
  stepMs: 1,
  examples: ["2s", "30s", "1m"],
};

/** The source text of the scalar at a path below the frequency (a number as written: 0755, not 755). */
export type WrittenAt = (path: (string | number)[]) => string | undefined;

function shownAt(value: unknown, path: (string | number)[], written?: WrittenAt): string {
  if (typeof value === "string") return `"${value}"`;
  return written?.(path) ?? JSON.stringify(value);
}

/**
 * The built-in phase of `every` without `offset` (docs/schedules.md, load spreading): 0 = on the
 * clock, so upgrading never moves an existing job and `every: 1h` stays on the hour as written.
 * The Defaults document's `spread: true` makes it "H" (each job's own phase, from its key) for a
 * whole repository.
 */
export const DEFAULT_EVERY_OFFSET: number | "H" = 0;

/** The phase `every` without `offset` gets: from Defaults' `spread` (true → "H"), else DEFAULT_EVERY_OFFSET. */
export function defaultEveryOffset(spread: boolean): number | "H" {
  return spread ? "H" : DEFAULT_EVERY_OFFSET;
}

/** A problem inside a frequency; `path` is relative to the frequency's own node. */
export interface FrequencyIssue {
  path: (string | number)[];
  message: string;
  /** Point at the key of the last path segment rather than its value. */
  key?: boolean;
}

export type FrequencyResult = { ok: true; freq: Frequency } | { ok: false; issues: FrequencyIssue[] };

const AUTOMATIC_LIST = AUTOMATIC_SERVICES.join(", ");
/** Field names people use for a zone, where schedsync takes spec.timezone. */
export const ZONE_FIELDS = /^(time_?zone|tz|zone|cron_?tz)$/i;
const TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

export function allowsAutomatic(service: ServiceName): boolean {
  return (AUTOMATIC_SERVICES as readonly string[]).includes(service);
}

function forms(service: ServiceName): string {
  return `${allowsAutomatic(service) ? "automatic, " : ""}off, { every: 30m }, { cron: "0 * * * *" } or { at: ["06:00"] }`;
}

function fail(message: string, path: (string | number)[] = [], key = false): FrequencyResult {
  return { ok: false, issues: [{ path, message, key }] };
}

/**
 * Checks one service's frequency; `timezone` is used to check cron expressions; `written` gives
 * values as the file spells them, for messages; `everyOffset` is the phase of an `every` written
 * without `offset` (defaultEveryOffset).
 */
export function parseFrequency(
  value: unknown,
  service: ServiceName,
  timezone = "UTC",
  written?: WrittenAt,
  everyOffset: number | "H" = DEFAULT_EVERY_OFFSET,
): FrequencyResult {
  const automaticOk = allowsAutomatic(service);
  if (value === "off") return { ok: true, freq: { kind: "off" } };
  if (value === "automatic" || (isObject(value) && "automatic" in value)) {
    if (!automaticOk) return fail(`"automatic" is only available for ${AUTOMATIC_LIST}`);
    if (value === "automatic")
      return {
        ok: true,
        freq: {
          kind: "automatic",
          windowMs: DEFAULT_AUTOMATIC_WINDOW_MS,
          maxBatch: DEFAULT_AUTOMATIC_MAX_BATCH,
        },
      };
  }
  if (value === null || value === undefined) return fail(`is empty; write a frequency: ${forms(service)}`);
  if (!isObject(value)) {
    const shown = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
    return fail(`${shown} is not a frequency; use ${forms(service)}`);
  }
  // `offset` belongs to `every` (load spreading); it is not a form of its own.
  const keys = Object.keys(value).filter((k) => k !== "offset" || !("every" in value));
  const allowed = automaticOk ? ["every", "cron", "at", "automatic"] : ["every", "cron", "at"];
  const unknown = keys.filter((k) => !allowed.includes(k));
  if (unknown.length)
    return {
      ok: false,
      issues: unknown.map((k) => ({
        path: [k],
        key: true,
        message:
          k === "offset"
            ? `offset only goes with every, e.g. { every: 10m, offset: 0m }`
            : ZONE_FIELDS.test(k)
              ? `"${k}" does not belong in a frequency: cron and at run in the merchant's timezone; set spec.timezone in the Merchant document`
              : `unknown field "${k}" in a frequency; use exactly one of ${allowed.join(", ")}`,
      })),
    };
  if (keys.length !== 1)
    return fail(
      keys.length === 0
        ? `is an empty map; write a frequency: ${forms(service)}`
        : `has ${keys.join(" and ")}; a frequency has exactly one of ${allowed.join(", ")}`,
    );
  const kind = keys[0] as "every" | "cron" | "at" | "automatic";
  const body = value[kind];
  if (kind === "every") return parseEvery(body, value.offset, everyOffset, written);
  if (kind === "cron") {
    const cron = parseCron(body, timezone);
    return cron.ok ? { ok: true, freq: { kind: "cron", expr: cron.expr } } : fail(cron.message, ["cron"]);
  }
  if (kind === "at") return parseAt(body, written);
  return parseAutomatic(body, written);
}

function parseEvery(
  body: unknown,
  offsetBody: unknown,
  everyOffset: number | "H",
  written?: WrittenAt,
): FrequencyResult {
  const d = checkDuration("every", body, shownAt(body, ["every"], written), EVERY_RANGE);
  if (!d.ok) return fail(d.message, ["every"]);
  if (offsetBody === undefined)
    return { ok: true, freq: { kind: "every", ms: d.ms, text: d.text, offset: everyOffset } };
  if (offsetBody === "H") return { ok: true, freq: { kind: "every", ms: d.ms, text: d.text, offset: "H" } };
  const o = parseDuration(offsetBody);
  if (!o.ok) return fail(`offset: ${o.message}`, ["offset"]);
  if (o.ms % 1000 !== 0 || o.ms >= d.ms)
    return fail(
      `offset: "${String(offsetBody)}" must be H (drawn from the job key) or whole seconds from 0s to less than the interval (${d.text})`,
      ["offset"],
    );
  return { ok: true, freq: { kind: "every", ms: d.ms, text: d.text, offset: o.ms } };
}

function parseAt(body: unknown, written?: WrittenAt): FrequencyResult {
  if (!Array.isArray(body) || body.length === 0)
    return fail(`at must be a list of 1 to ${MAX_AT_TIMES} "HH:MM" times, e.g. ["06:00", "18:00"]`, ["at"]);
  if (body.length > MAX_AT_TIMES)
    return fail(`at has ${body.length} times; at most ${MAX_AT_TIMES} are allowed (use every or cron)`, [
      "at",
    ]);
  const issues: FrequencyIssue[] = [];
  const seen = new Map<string, number>();
  body.forEach((t, i) => {
    const shown = shownAt(t, ["at", i], written);
    // 0600 or 6.30 written unquoted: the digits of a time, read by YAML as a number.
    const digits = /^(\d{1,2})[.:]?(\d{2})$/.exec(shown.replace(/"/g, ""));
    const meant = digits ? `${digits[1]?.padStart(2, "0")}:${digits[2]}` : "";
    if (typeof t !== "string" || !TIME.test(t))
      issues.push({
        path: ["at", i],
        message: `at[${i}]: ${shown} is not a valid time; use HH:MM from 00:00 to 23:59${TIME.test(meant) ? `; did you mean "${meant}"?` : ""}`,
      });
    else if (seen.has(t))
      issues.push({ path: ["at", i], message: `at[${i}]: "${t}" is already listed at at[${seen.get(t)}]` });
    else seen.set(t, i);
  });
  if (issues.length) return { ok: false, issues };
  return { ok: true, freq: { kind: "at", times: [...seen.keys()].sort() } };
}

function parseAutomatic(body: unknown, written?: WrittenAt): FrequencyResult {
  if (body === null || body === undefined) body = {};
  if (!isObject(body))
    return fail(`automatic settings must be a map like { window: 5s, maxBatch: 500 }`, ["automatic"]);
  const issues: FrequencyIssue[] = [];
  for (const k of Object.keys(body))
    if (k !== "window" && k !== "maxBatch")
      issues.push({
        path: ["automatic", k],
        key: true,
        message: `unknown field "${k}" in automatic; use window, maxBatch`,
      });
  let windowMs = DEFAULT_AUTOMATIC_WINDOW_MS;
  if (body.window !== undefined) {
    const path = ["automatic", "window"];
    const d = checkDuration("window", body.window, shownAt(body.window, path, written), WINDOW_RANGE);
    if (!d.ok) issues.push({ path, message: d.message });
    else windowMs = d.ms;
  }
  const maxBatch = body.maxBatch ?? DEFAULT_AUTOMATIC_MAX_BATCH;
  if (typeof maxBatch !== "number" || !Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH)
    issues.push({
      path: ["automatic", "maxBatch"],
      message: `maxBatch: ${shownAt(maxBatch, ["automatic", "maxBatch"], written)} must be a whole number from 1 to ${MAX_BATCH}`,
    });
  if (issues.length) return { ok: false, issues };
  return { ok: true, freq: { kind: "automatic", windowMs, maxBatch: maxBatch as number } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The canonical YAML value of a frequency (what `explain` and plans print). */
export function formatFrequency(f: Frequency): unknown {
  switch (f.kind) {
    case "off":
      return "off";
    case "every":
      // The built-in phase is not written; any other offset is (also one from Defaults' spread).
      if (f.offset === undefined || f.offset === DEFAULT_EVERY_OFFSET) return { every: formatDuration(f.ms) };
      return { every: formatDuration(f.ms), offset: f.offset === "H" ? "H" : formatDuration(f.offset) };
    case "cron":
      return { cron: f.expr };
    case "at":
      return { at: [...f.times].sort() };
    case "automatic": {
      if (f.windowMs === DEFAULT_AUTOMATIC_WINDOW_MS && f.maxBatch === DEFAULT_AUTOMATIC_MAX_BATCH)
        return "automatic";
      return { automatic: { window: formatDuration(f.windowMs), maxBatch: f.maxBatch } };
    }
  }
}
