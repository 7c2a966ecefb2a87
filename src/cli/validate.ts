// `schedsync validate [path]`: check the schedules the way CI does; exit 0 valid, 1 invalid.
import { type Command, Option } from "commander";
import { loadSchedules } from "../config/load.js";
import { locateSchedules } from "../config/repo-root.js";
import { formatReport, REPORT_FORMATS, type ReportFormat } from "../config/report.js";
import { CliError } from "./errors.js";

export function register(program: Command): void {
  program
    .command("validate")
    .description(
      "Check every *.yaml/*.yml schedule under a directory (at any depth) against the schemas and the\n" +
        "cross-file rules (ids, references, frequencies, timezones) and the Policy document's rules (a\n" +
        "Policy outside the path given is not read). Reports all errors at once, each with\n" +
        "file:line:column relative to the repo root.",
    )
    .argument("[path]", "schedules directory or one file", "./schedules")
    .addOption(
      new Option("--format <format>", "text for people, json for tools, github for workflow annotations")
        .choices(REPORT_FORMATS)
        .default("text"),
    )
    .addHelpText(
      "after",
      `
Output:
  text    path:line:col: error: message   (one per line, sorted by file and line)
  json    {"valid": bool, "errors": [{"file","line","column","message"}], "documents": n}
  github  ::error file=..,line=..,col=..::message   (annotations on the pull request)

Exit codes: 0 valid, 1 invalid.

Examples:
  $ schedsync validate
  $ schedsync validate schedules/merchants/acme.yaml
  $ schedsync validate --format github     # in a GitHub Actions step`,
    )
    .action(async (path: string, o: { format: ReportFormat }) => {
      const { rootDir, dir } = await locateSchedules(path);
      const result = await loadSchedules({ rootDir, dir });
      console.log(formatReport(result, o.format, dir));
      if (!result.ok) throw new CliError("", 1);
    });
}
