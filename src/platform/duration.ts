// Durations, one grammar for schedules (YAML) and command-line flags: amounts with units, largest
// unit first, each unit at most once: "90s", "5m", "1h30m", "1d", "1s500ms". Flags also take
// decimals ("1.5m") and a bare number of seconds ("60"); schedules do not, because their value is
// written back in canonical form (formatDuration) and a fraction has none.

const UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
] as const;

const PART = /(\d{1,9}(?:\.\d{1,9})?)(ms|d|h|m|s)/y;

export type DurationResult = { ok: true; ms: number; text: string } | { ok: false; message: string };

export interface DurationGrammar {
  /** Accept decimal amounts ("1.5m"); the result is rounded to whole milliseconds. Default false. */
  fractions?: boolean;
  /** Read a bare number in this unit ("60" with "s" = 60 s). Default: a bare number is an error. */
  bareUnit?: "s";
}

/** Parses a duration; the message explains the accepted forms when the text is not one. */
export function parseDuration(input: unknown, grammar: DurationGrammar = {}): DurationResult {
  if (typeof input === "number")
    return { ok: false, message: `${input} has no unit; write it like "${input}m" or "${input}s"` };
  if (typeof input !== "string")
    return { ok: false, message: `must be a duration text such as "5m", "1h30m" or "1d"` };
  const text = grammar.bareUnit && /^\d+(\.\d+)?$/.test(input) ? `${input}${grammar.bareUnit}` : input;
  const ms = sum(text, grammar.fractions === true);
  if (ms === undefined)
    return {
      ok: false,
      message: `"${input}" is not a duration; use d, h, m, s (largest first), e.g. "30s", "5m", "1h30m", "1d"`,
    };
  return { ok: true, ms, text: formatDuration(ms) };
}

/** The milliseconds of text, or undefined when it is not in the grammar. */
function sum(text: string, fractions: boolean): number | undefined {
  if (text === "") return undefined;
  let ms = 0;
  let lastUnit = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) return undefined;
    const amount = m[1] as string;
    const unit = UNITS.findIndex(([u]) => u === m[2]);
    if (unit <= lastUnit || (!fractions && amount.includes("."))) return undefined;
    lastUnit = unit;
    ms += Number(amount) * (UNITS[unit] as (typeof UNITS)[number])[1];
  }
  return Math.round(ms);
}

/** Canonical text: "0s", "90s" → "1m30s", 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let text = "";
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text;
}

/**
 * A command-line interval (--interval, --recheck-after) in ms: the duration grammar with decimals
 * and bare seconds, case-insensitive. Throws when it is not a duration or shorter than 1 s.
 */
export function parseInterval(text: string): number {
  const d = parseDuration(text.trim().toLowerCase(), { fractions: true, bareUnit: "s" });
  if (!d.ok) throw new Error(`bad interval "${text}" (use e.g. 60s, 1.5m, 1h30m)`);
  if (d.ms < 1_000) throw new Error(`interval ${text} is shorter than 1s`);
  return d.ms;
}

/**
 * A measured duration for people, at the precision it was measured: 590 → "590 ms", 1234 →
 * "1.2 s", 95000 → "1 min 35 s". (Rounding 590 ms to "0.1 s" hid the figure the log showed.)
 */
export function formatMeasured(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
}
