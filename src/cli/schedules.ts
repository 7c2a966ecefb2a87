// Loading schedules for the commands that need them valid (explain, simulate): from the work tree,
// or (simulate --ref) from one commit's tree, read from git objects the way plan reads it.

import { type LoadResult, loadSchedules } from "../config/load.js";
import type { ScheduleModel } from "../schedule/model.js";
import { CliError } from "./errors.js";
import { schedulesLocation } from "./paths.js";
import { configErrorLines } from "./views/validate.js";

function validModel(loaded: LoadResult): ScheduleModel {
  if (!loaded.ok)
    throw new CliError(
      `the schedules are invalid (run schedsync validate)\n${configErrorLines(loaded.errors)}`,
    );
  return loaded.model;
}

/** The model of the schedules at `path` (default: the repo's schedules/); invalid ones are a CliError. */
export async function loadValidSchedules(path: string | undefined): Promise<ScheduleModel> {
  return validModel(await loadSchedules(await schedulesLocation(path)));
}

/**
 * The model of the schedules under `dir` (default schedules) in commit `ref` of `repo`: git objects
 * only, never the work tree, so a pull request's checkout is read as data (a symlink is refused, not
 * followed). Source errors and invalid schedules are a CliError.
 */
export async function loadValidRevisionSchedules(src: {
  repo?: string;
  ref: string;
  dir?: string;
}): Promise<ScheduleModel> {
  // Loaded here only: explain and simulate without --ref never need git.
  const { readRevision, SourceError } = await import("../reconcile/source.js");
  const rev = await readRevision(src).catch((err: unknown) => {
    throw err instanceof SourceError ? new CliError(err.message) : err;
  });
  if (rev.rejected.length)
    throw new CliError(rev.rejected.map((r) => `${r.path}: error: ${r.path} ${r.reason}`).join("\n"));
  return validModel(await loadSchedules({ rootDir: ".", dir: rev.dir, files: rev.files }));
}
