// Durations as people write them in schedules: "90s", "5m", "1h30m", "2h", "1d".
// Units must appear largest first, each at most once; the canonical text is what formatDuration gives.

const UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
] as const;

const DURATION = /^(?:(\d{1,9})d)?(?:(\d{1,9})h)?(?:(\d{1,9})m)?(?:(\d{1,9})s)?(?:(\d{1,9})ms)?$/;

export type DurationResult = { ok: true; ms: number; text: string } | { ok: false; message: string };

/** Parses a duration; the message explains the accepted forms when the text is not one. */
export function parseDuration(input: unknown): DurationResult {
  if (typeof input === "number")
    return { ok: false, message: `${input} has no unit; write it like "${input}m" or "${input}s"` };
  if (typeof input !== "string")
    return { ok: false, message: `must be a duration text such as "5m", "1h30m" or "1d"` };
  const match = input === "" ? null : DURATION.exec(input);
  if (!match)
    return {
      ok: false,
      message: `"${input}" is not a duration; use d, h, m, s (largest first), e.g. "30s", "5m", "1h30m", "1d"`,
    };
  let ms = 0;
  UNITS.forEach(([, size], i) => {
    const part = match[i + 1];
    if (part) ms += Number(part) * size;
  });
  return { ok: true, ms, text: formatDuration(ms) };
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
