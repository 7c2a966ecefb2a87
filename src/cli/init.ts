// `schedsync init [dir]`: scaffold a commented example schedules directory that validates.
import type { Command } from "commander";
import { loadSchedules } from "../config/load.js";
import { locateSchedules } from "../config/repo-root.js";
import { scaffold } from "../config/scaffold.js";
import { CliError } from "./errors.js";

export function register(program: Command): void {
  program
    .command("init")
    .description(
      "Create an example schedules directory: a Defaults file and a commented merchant with one cart,\n" +
        "plus a copy of the JSON Schemas in <dir>/.schema for editor completion.",
    )
    .argument("[dir]", "directory to create (must be empty or missing)", "schedules")
    .addHelpText(
      "after",
      `
Examples:
  $ schedsync init
  $ schedsync init config/schedules && schedsync validate config/schedules`,
    )
    .action(async (dir: string) => {
      let written: string[];
      try {
        written = await scaffold(dir);
      } catch (err) {
        throw new CliError(err instanceof Error ? err.message : String(err));
      }
      for (const f of written) console.log(`created ${f}`);
      const { rootDir, dir: rel } = await locateSchedules(dir);
      const check = await loadSchedules({ rootDir, dir: rel });
      if (!check.ok) throw new CliError("the scaffold does not validate; please report this");
      console.log(`\n${dir} is valid. Next: edit the files, then run \`schedsync validate ${dir}\`.`);
    });
}
