// Entry point: commander wiring only. Each command lives in its own file and exports
// `register(program)`; the work itself is in src/<stage>/.
import { CliError } from "./errors.js";
import { buildProgram } from "./program.js";

const program = buildProgram();

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

// Every command is finished here. Agenda can leave a timer for a job that was due soon after
// stop(), which would keep a stopped `start`/`worker` alive: flush the output and exit.
await new Promise((r) => process.stdout.write("", r));
await new Promise((r) => process.stderr.write("", r));
process.exit();
