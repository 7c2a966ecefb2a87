// Loading the work tree's schedules for the commands that need them valid (explain, simulate).

import { loadSchedules } from "../config/load.js";
import type { ScheduleModel } from "../schedule/model.js";
import { CliError } from "./errors.js";
import { schedulesLocation } from "./paths.js";
import { configErrorLines } from "./views/validate.js";

/** The model of the schedules at `path` (default: the repo's schedules/); invalid ones are a CliError. */
export async function loadValidSchedules(path: string | undefined): Promise<ScheduleModel> {
  const loaded = await loadSchedules(await schedulesLocation(path));
  if (!loaded.ok)
    throw new CliError(
      `the schedules are invalid (run schedsync validate)\n${configErrorLines(loaded.errors)}`,
    );
  return loaded.model;
}
