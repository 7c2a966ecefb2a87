// Duration fields (every, automatic.window) checked against their own range, with messages whose
// suggestions are always valid there: never below the minimum, above the maximum or off the step.
import { formatDuration, parseDuration } from "../platform/duration.js";

/** What a duration field accepts: ms bounds, the step it must be a multiple of, and examples. */
export interface DurationRange {
  minMs: number;
  maxMs: number;
  stepMs: number;
  examples: readonly string[];
}

export type DurationCheck = { ok: true; ms: number; text: string } | { ok: false; message: string };

const WORD_UNITS: [RegExp, number][] = [
  [/^(d|days?)$/, 86_400_000],
  [/^(h|hrs?|hours?)$/, 3_600_000],
  [/^(m|mins?|minutes?)$/, 60_000],
  [/^(s|secs?|seconds?)$/, 1_000],
  [/^(ms|millis(econds?)?)$/, 1],
];

/**
 * What a person probably meant by a text that is not a duration: "5 minutes" → 5m, "1.5h" → 1h30m,
 * "1H 30M" → 1h30m. Undefined when it cannot be read.
 */
export function readLoosely(text: string): number | undefined {
  const parts = [...text.toLowerCase().matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)];
  const rest = text
    .toLowerCase()
    .replace(/(\d+(?:\.\d+)?)\s*([a-z]+)/g, "")
    .replace(/[\s,]|and/g, "");
  if (!parts.length || rest) return undefined;
  let ms = 0;
  for (const [, n, unit] of parts) {
    const size = WORD_UNITS.find(([re]) => re.test(unit ?? ""))?.[1];
    if (size === undefined) return undefined;
    ms += Number(n) * size;
  }
  return Number.isInteger(ms) ? ms : undefined;
}

function fits(ms: number, r: DurationRange): boolean {
  return ms >= r.minMs && ms <= r.maxMs && ms % r.stepMs === 0;
}

/** The valid values nearest to `ms`: the step below and above, clamped to the range. */
export function nearest(ms: number, r: DurationRange): string[] {
  const down = Math.min(r.maxMs, Math.max(r.minMs, Math.floor(ms / r.stepMs) * r.stepMs));
  const up = Math.min(r.maxMs, Math.max(r.minMs, Math.ceil(ms / r.stepMs) * r.stepMs));
  return [...new Set([down, up])].filter((v) => fits(v, r)).map((v) => `"${formatDuration(v)}"`);
}

/**
 * Checks a duration field. `field` names it in messages ("every"); `shown` is the value as written in
 * the file (a number keeps its source text, e.g. 0755, not the 755 YAML reads).
 */
export function checkDuration(field: string, value: unknown, shown: string, r: DurationRange): DurationCheck {
  const min = formatDuration(r.minMs);
  const max = formatDuration(r.maxMs);
  const forms = `use d, h, m, s (largest first), e.g. ${r.examples.map((e) => `"${e}"`).join(", ")}`;
  if (typeof value === "number") {
    const read = shown === String(value) ? "" : ` (YAML reads ${shown} as the number ${value})`;
    const unit = [60_000, 1_000, 3_600_000].find((u) => fits(value * u, r));
    const hint = unit ? `write it with a unit, e.g. "${formatDuration(value * unit)}"` : forms;
    return { ok: false, message: `${field}: ${shown} has no unit${read}; ${hint}` };
  }
  const d = parseDuration(value);
  if (!d.ok) {
    if (typeof value !== "string")
      return { ok: false, message: `${field}: must be a duration text; ${forms}` };
    const meant = readLoosely(value);
    const hint =
      meant === undefined
        ? ""
        : fits(meant, r)
          ? `; did you mean "${formatDuration(meant)}"?`
          : `; the nearest valid: ${nearest(meant, r).join(" or ")}`;
    return { ok: false, message: `${field}: "${value}" is not a duration; ${forms}${hint}` };
  }
  if (d.ms < r.minMs)
    return {
      ok: false,
      message: `${field}: ${shown} is too short; the minimum is ${min}; use "${min}" or longer`,
    };
  if (d.ms > r.maxMs)
    return {
      ok: false,
      message: `${field}: ${shown} is too long; the maximum is ${max}; use "${max}" or less`,
    };
  if (d.ms % r.stepMs !== 0)
    return {
      ok: false,
      message: `${field}: ${shown} is too short a unit: intervals are whole ${r.stepMs === 60_000 ? "minutes" : `multiples of ${formatDuration(r.stepMs)}`}, the minimum is ${min}; use ${nearest(d.ms, r).join(" or ")}`,
    };
  return d;
}
