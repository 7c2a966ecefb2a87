// The one error shape every stage of loading reports, and helpers to place it in a file.
import type { LineCounter } from "yaml";

/** A problem in the schedules, located in a file relative to the repo root (1-based line/column). */
export interface ConfigError {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function errorAt(file: string, lines: LineCounter, offset: number, message: string): ConfigError {
  const { line, col } = lines.linePos(offset);
  return { file, line, column: col, message };
}

/** Sorted by file, then line, then column; stable for equal positions. */
export function sortErrors(errors: ConfigError[]): ConfigError[] {
  return errors
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        (a.e.file < b.e.file ? -1 : a.e.file > b.e.file ? 1 : 0) ||
        a.e.line - b.e.line ||
        a.e.column - b.e.column ||
        a.i - b.i,
    )
    .map(({ e }) => e);
}

/** "metadata.id", "services.orderDelivery", "at[1]": the path as a person reads it (spec. dropped). */
export function showPath(path: readonly (string | number)[]): string {
  let out = "";
  path.forEach((seg, i) => {
    if (i === 0 && seg === "spec" && path.length > 1) return;
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  });
  return out;
}
