// Entry point: commander wiring only. Each command lives in its own file and exports
// `register(program)`; the work itself is in src/<stage>/.
import { Command } from "commander";
import { registerCommands } from "./commands.js";
import { CliError } from "./errors.js";

const program = new Command("schedsync")
  .description(
    "Integration-hub transmission schedules as code: validate YAML schedules, plan and apply them\n" +
      "into Agenda jobs in MongoDB, and run the workers that move orders, tracking and inventory.",
  )
  .version("0.1.0")
  .showHelpAfterError("(run with --help for usage)")
  .addHelpText(
    "after",
    `
Store: MONGODB_URI selects a MongoDB (or MongoDB-wire) server; without it schedsync starts an
embedded FerretDB under SCHEDSYNC_DATA_DIR (default ./.schedsync).

Exit codes: 0 ok, 1 error or invalid input, 2 (plan only) changes pending.`,
  );

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    if (err.message) console.error(`schedsync: ${err.message}`);
    process.exitCode = err.exitCode;
  } else {
    console.error(`schedsync: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.SCHEDSYNC_DEBUG && err instanceof Error) console.error(err.stack);
    process.exitCode = 1;
  }
}
