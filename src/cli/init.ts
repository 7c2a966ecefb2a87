// `schedsync init [dir]`: scaffold a commented example schedules directory that validates.
import { dirname, relative } from "node:path";
import type { Command } from "commander";
import { CliError } from "./errors.js";
import { schedulesLocation, storeDataDir } from "./paths.js";

export function register(program: Command): void {
  program
    .command("init")
    .description(
      "Create an example schedules directory: a Defaults file and a commented merchant with one " +
        "cart, plus a copy of the JSON Schemas in <dir>/.schema for editor completion, and ignore " +
        "the embedded store's data dir (.schedsync/) in .gitignore.",
    )
    .argument("[dir]", "directory to create (must be empty or missing)", "schedules")
    .addHelpText(
      "after",
      `
Examples:
  $ npx schedsync init
  $ npx schedsync init config/schedules
  $ npx schedsync validate config/schedules`,
    )
    .action(async (dir: string) => {
      const [{ loadSchedules }, { ignoreInGit, scaffold }] = await Promise.all([
        import("../config/load.js"),
        import("../config/scaffold.js"),
      ]);
      let written: string[];
      try {
        written = await scaffold(dir);
      } catch (err) {
        throw new CliError(err instanceof Error ? err.message : String(err));
      }
      for (const f of written) console.log(`created ${f}`);
      // The data dir lives at the repo root (paths.ts); ignore it in the .gitignore beside it.
      const data = storeDataDir();
      const ignored = await ignoreInGit(dirname(data), `${relativeName(data)}/`);
      if (ignored)
        console.log(`added ${relativeName(data)}/ to ${relative(process.cwd(), ignored) || ignored}`);
      const check = await loadSchedules(await schedulesLocation(dir));
      if (!check.ok) throw new CliError("the scaffold does not validate; please report this");
      console.log(`\n${dir} is valid. Next: edit the files, then run \`npx schedsync validate ${dir}\`.`);
    });
}

function relativeName(path: string): string {
  return relative(dirname(path), path);
}
