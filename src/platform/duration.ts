// Durations, one grammar for schedules (YAML) and command-line flags: whole amounts with lower-case
// units d, h, m, s, ms, largest unit first, each unit at most once: "90s", "5m", "1h30m", "1d",
// "1s500ms". No decimals ("1.5m") and no bare numbers ("60"): a value is written back in canonical
// form (formatDuration) and a fraction has none. A refused text gets the rule it breaks and the
// text that means what was probably meant (REPAIRS).

const UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
] as const;

const PART = /(\d{1,9}(?:\.\d{1,9})?)(ms|d|h|m|s)/y;

/** Which rule of the grammar a refused text breaks. */
export type DurationProblem = "spaces" | "upper-case" | "no-unit" | "fraction" | "not-a-duration";

export type DurationResult =
  | { ok: true; ms: number; text: string }
  | {
      ok: false;
      message: string;
      /** The rules the text breaks, in REPAIRS order; ["not-a-duration"] when none explains it. */
      problems: DurationProblem[];
      /** The text repaired into the grammar ("90S" → "90s"), when it can be read. */
      suggestion?: string;
    };

/**
 * The forms people write that the grammar refuses, in the order they are repaired: each names its
 * rule for people and rewrites the text ("1.5M" → "1.5m" → "1m30s"). A fraction is read only when
 * it comes to whole milliseconds.
 */
const REPAIRS: {
  problem: DurationProblem;
  rule: string;
  /** The repair picks one reading of several (a bare number could be seconds or minutes). */
  guess?: true;
  repair(text: string): string | undefined;
}[] = [
  {
    problem: "spaces",
    rule: "a duration has no spaces",
    repair: (t) => (/\s/.test(t) ? t.replace(/\s+/g, "") : undefined),
  },
  {
    problem: "upper-case",
    rule: "units are lower case",
    repair: (t) => (/[A-Z]/.test(t) ? t.toLowerCase() : undefined),
  },
  {
    problem: "no-unit",
    rule: "a duration needs a unit",
    guess: true,
    repair: (t) => (/^\d+(\.\d+)?$/.test(t) ? `${t}s` : undefined),
  },
  {
    problem: "fraction",
    rule: "amounts are whole numbers",
    repair: (t) => {
      const ms = t.includes(".") ? sum(t, true) : undefined;
      if (ms === undefined) return undefined;
      const whole = Math.round(ms); // 1.1s reads 1100.0000000000002 ms
      return Math.abs(ms - whole) < 1e-6 ? formatDuration(whole) : undefined;
    },
  },
];

const FORMS = `use d, h, m, s, ms (largest first, each once, whole numbers, lower case), e.g. "30s", "5m", "1h30m", "1d"`;

/**
 * Parses a duration of the grammar above into ms and its canonical text. A refused text comes back
 * with a message for people, the rules it breaks and, when it can be read, the suggested text.
 */
export function parseDuration(input: unknown): DurationResult {
  if (typeof input === "number")
    return {
      ok: false,
      message: `${input} has no unit; write it like "${input}m" or "${input}s"`,
      problems: ["no-unit"],
    };
  if (typeof input !== "string")
    return {
      ok: false,
      message: `must be a duration text such as "5m", "1h30m" or "1d"`,
      problems: ["not-a-duration"],
    };
  const ms = sum(input, false);
  if (ms !== undefined) return { ok: true, ms, text: formatDuration(ms) };
  return {
    ok: false,
    message: `"${input}" is not a duration; use d, h, m, s (largest first), e.g. "30s", "5m", "1h30m", "1d"`,
    ...diagnose(input),
  };
}

/** The rules a refused text breaks and the text it probably meant (undefined: it cannot be read). */
function diagnose(input: string): { problems: DurationProblem[]; suggestion?: string } {
  const problems: DurationProblem[] = [];
  let text = input;
  for (const { problem, repair } of REPAIRS) {
    const next = repair(text);
    if (next === undefined) continue;
    problems.push(problem);
    text = next;
  }
  if (problems.length === 0 || sum(text, false) === undefined) return { problems: ["not-a-duration"] };
  return { problems, suggestion: text };
}

/** The milliseconds of text, or undefined when it is not in the grammar (or, with fractions, its decimal reading). */
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
  return ms;
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

/** The shortest interval a flag takes (a poll or a pause shorter than this is a typo). */
export const MIN_INTERVAL_MS = 1_000;

/**
 * A command-line interval (--interval, --recheck-after, --until …) in ms, in the schedules' grammar.
 * Throws when it is not a duration (the message names the rule it breaks and the fix: `60` →
 * "a duration needs a unit, e.g. "60s"") or when it is outside `range` (ms; the least is
 * MIN_INTERVAL_MS unless `minMs` says otherwise).
 */
export function parseInterval(text: string, range: { minMs?: number; maxMs?: number } = {}): number {
  const min = range.minMs ?? MIN_INTERVAL_MS;
  const d = parseDuration(text);
  if (!d.ok) throw new Error(`bad interval "${text}": ${durationFix(text) ?? FORMS}`);
  if (d.ms < min) throw new Error(`interval ${text} is shorter than ${formatDuration(min)}`);
  if (range.maxMs !== undefined && d.ms > range.maxMs)
    throw new Error(`interval ${text} is longer than ${formatDuration(range.maxMs)}`);
  return d.ms;
}

/**
 * For a text the grammar refuses but can read: the rules it breaks and the fix, for one line of a
 * usage error (`90S` → 'units are lower case; write "90s"'). Undefined for a duration or an
 * unreadable text.
 */
export function durationFix(text: string): string | undefined {
  const d = parseDuration(text);
  if (d.ok || d.suggestion === undefined) return undefined;
  const broken = REPAIRS.filter((r) => d.problems.includes(r.problem));
  const fix = broken.some((r) => r.guess) ? ", e.g." : "; write";
  return `${broken.map((r) => r.rule).join(" and ")}${fix} "${d.suggestion}"`;
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
