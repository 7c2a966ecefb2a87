// The commander program with every command registered, without parsing anything (tests inspect it).
import { Command } from "commander";
import { registerCommands } from "./commands.js";

export function buildProgram(): Command {
  const program = new Command("schedsync")
    .description(
      "Integration-hub transmission schedules as code: validate YAML schedules, plan and apply " +
        "them into Agenda jobs in MongoDB, and run the workers that move orders, tracking and inventory.",
    )
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    // Help wraps at 80 columns whatever the terminal's width; every command inherits it.
    .configureHelp({ helpWidth: 80 })
    .addHelpText(
      "after",
      `
Store: MONGODB_URI selects a MongoDB (or MongoDB-wire) server; without it
schedsync starts an embedded FerretDB under SCHEDSYNC_DATA_DIR (default:
.schedsync at the root of the current git repo, from any subdirectory).

Examples:
  $ npx schedsync validate
  $ npx schedsync explain acme/shopify-us
  $ npx schedsync start --port 0

Exit codes: 0 ok, 1 error or invalid input, 2 (plan only) changes pending.`,
    );
  registerCommands(program);
  return program;
}
