// `run <key>`: what one run did, as "key: field value, ..." or JSON.
import type { RunReport } from "../../runtime/handlers/index.js";
import type { View } from "./view.js";

export interface RunResult {
  key: string;
  report: RunReport;
}

export const runView: View<RunResult> = {
  json: ({ report }) => report,
  // The counts on one line; a failure's reason goes to stderr (cli/run.ts), so the line stays parseable.
  text: ({ key, report }) =>
    `${key}: ${Object.entries(report)
      .filter(([k]) => k !== "reason")
      .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(",") || "-" : String(v)}`)
      .join(", ")}`,
};
