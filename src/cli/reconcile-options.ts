// Options shared by the commands that read a revision (plan, apply, serve). Light on purpose: every
// command registers at start-up, so what the work needs is imported inside the actions.
import type { Command } from "commander";
import { durationOption, refOption } from "./option-types.js";

export interface SourceFlags {
  repo?: string;
  ref: string;
  dir: string;
  json?: boolean;
}

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option("--repo <path|url>", "git repository with the schedules (default: the current directory's repo)")
    .addOption(refOption("--ref <ref>", "branch, tag or commit to read (only committed files)", "HEAD"))
    .option("--dir <path>", "schedules directory inside the repo", "schedules")
    .option("--json", "print JSON instead of text");
}

const RECHECK_HELP =
  "on a revision already applied, compare every job again (to find jobs edited in MongoDB) " +
  "only when the last comparison is older than this; 0 = every time";

/** `--recheck-after`: 0 (or "always") = compare every time, else a duration such as 15m. */
export function recheckOption(fallback: string) {
  return durationOption("--recheck-after <duration>", RECHECK_HELP, {
    default: fallback,
    zero: "to compare every time",
  });
}
