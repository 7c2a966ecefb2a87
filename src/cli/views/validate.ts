// How `validate` prints a LoadResult: text for people, JSON for tools, GitHub workflow annotations.
import type { ConfigError } from "../../config/errors.js";
import type { LoadResult } from "../../config/load.js";
import { count } from "../../platform/words.js";
import { renderText, type View } from "./view.js";

export const REPORT_FORMATS = ["text", "json", "github"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

// GitHub workflow commands: data escapes %, CR, LF; property values also : and ,.
function ghData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function ghProp(s: string): string {
  return ghData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function line(e: ConfigError, level: "error" | "warning", format: ReportFormat): string {
  if (format === "github")
    return `::${level} file=${ghProp(e.file)},line=${e.line},col=${e.column}::${ghData(e.message)}`;
  return `${e.file}:${e.line}:${e.column}: ${level}: ${e.message}`;
}

/** Errors as `file:line:col: error: message` lines (the text format), one string. */
export function configErrorLines(errors: readonly ConfigError[]): string {
  return errors.map((e) => line(e, "error", "text")).join("\n");
}

/** The validate view; `format` picks the text form (text or github), --json the JSON document. */
export function validateView(dir: string, format: ReportFormat = "text"): View<LoadResult> {
  return {
    compactJson: true,
    json: (result) => ({
      valid: result.ok,
      errors: (result.ok ? [] : result.errors).map(({ file, line, column, message }) => ({
        file,
        line,
        column,
        message,
      })),
      documents: result.ok ? result.model.documents : result.documents,
    }),
    text: (result) => {
      if (!result.ok) {
        const lines = result.errors.map((e) => line(e, "error", format));
        const n = result.errors.length;
        if (format === "text")
          lines.push(`${dir}: ${count(n, "error")} in ${count(result.documents, "document")}`);
        return lines.join("\n");
      }
      const { merchants, documents } = result.model;
      const carts = merchants.reduce((n, m) => n + m.carts.length, 0);
      return [
        ...result.warnings.map((w) => line(w, "warning", format)),
        `${dir}: valid (${count(documents, "document")}: ${count(merchants.length, "merchant")}, ${count(carts, "cart")})`,
      ].join("\n");
    },
  };
}

/** The report text (no trailing newline) for one load. */
export function formatReport(result: LoadResult, format: ReportFormat, dir: string): string {
  return renderText(validateView(dir, format), result, { json: format === "json" });
}
