// `schedsync validate [path]`: check the schedules the way CI does; exit 0 valid, 1 invalid.
// The loader is imported when the command runs; like every command module, this one stays light
// because all of them are loaded at start-up to register (a CI step runs validate in a fresh process).
import type { Command } from "commander";
import { CliError } from "./errors.js";
import { enumOption } from "./option-types.js";
import { schedulesLocation } from "./paths.js";
import { REPORT_FORMATS, type ReportFormat, validateView } from "./views/validate.js";
import { render } from "./views/view.js";

export function register(program: Command): void {
  program
    .command("validate")
    .description(
      "Check every *.yaml/*.yml schedule under a directory (at any depth) against the schemas, " +
        "the cross-file rules (ids, references, frequencies, timezones) and the Policy document's rules " +
        "(a Policy outside the path given is not read). Reports all errors at once, " +
        "each with file:line:column relative to the repo root.",
    )
    .argument("[path]", "schedules directory or one file (default: schedules/ of this repo)")
    .addOption(
      enumOption(
        "--format <format>",
        "text for people, json for tools, github for workflow annotations",
        REPORT_FORMATS,
      ).default("text"),
    )
    .option("--json", "print JSON (the same as --format json)")
    .addHelpText(
      "after",
      `
Output:
  text    path:line:col: error: message   (one per line, by file and line)
  json    {"valid": bool, "errors": [{"file","line","column","message"}],
           "documents": n}
  github  ::error file=..,line=..,col=..::message   (pull-request annotations)

Exit codes: 0 valid, 1 invalid (or no such directory).

Examples:
  $ npx schedsync validate
  $ npx schedsync validate schedules/merchants/acme.yaml
  $ npx schedsync validate --format github     # in a GitHub Actions step`,
    )
    .action(async (path: string | undefined, o: { format: ReportFormat; json?: boolean }) => {
      const { loadSchedules } = await import("../config/load.js");
      const { rootDir, dir } = await schedulesLocation(path);
      const result = await loadSchedules({ rootDir, dir });
      const format = o.json ? "json" : o.format;
      render(validateView(dir, format), result, { json: format === "json" });
      if (!result.ok) throw new CliError("", 1);
    });
}
