// Options and store access shared by the commands that read or write the store.
import type { Command } from "commander";
import { RevisionRejectedError } from "../reconcile/errors.js";
import { LockBusyError } from "../reconcile/lock.js";
import { SourceError } from "../reconcile/source.js";
import { openStore, type Store } from "../store/index.js";
import { CliError } from "./errors.js";
import { durationOption, refOption } from "./option-types.js";
import { storeDataDir } from "./paths.js";
import { rejectedView } from "./views/plan.js";
import { render } from "./views/view.js";

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

/** Opens the store, runs fn, closes the store; progress lines go to stderr unless --json or CI. */
export async function withStore<T>(json: boolean | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const quiet = json || !!process.env.CI;
  const store = await openStore({
    dataDir: storeDataDir(),
    log: quiet ? undefined : (line) => console.error(line),
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Maps the reconcile stages' errors to one clear CLI error (exit 1). */
export function cliErrorFrom(err: unknown, json: boolean | undefined): never {
  if (err instanceof RevisionRejectedError) {
    if (!json) throw new CliError(rejectedView.text(err));
    render(rejectedView, err, { json });
    throw new CliError("", 1);
  }
  if (err instanceof SourceError || err instanceof LockBusyError) throw new CliError(err.message);
  throw err;
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
