// `schedsync start` (= npm start): everything on one machine for a newcomer — the embedded store,
// ./schedules of the current repo applied and watched, the workers, and the status page.
import type { Command } from "commander";
import { notifyOption, staleAfterOption } from "./operator-options.js";
import { intOption, retentionOption } from "./option-types.js";
import { PORT } from "./serve.js";
import type { StartOptions } from "./serving.js";

export function register(program: Command): void {
  program
    .command("start")
    .description(
      "Run everything locally: the embedded store, the schedules of this repo (committed on HEAD) " +
        "applied and re-applied on each new commit, the workers, and the status page. Ctrl-C stops it all " +
        "(running jobs get 10 s to finish their batch; a second Ctrl-C stops at once, clearing their locks).",
    )
    .option("--host <address>", "address of the status page", "127.0.0.1")
    .addOption(intOption("--port <n>", "port of the status page (0 picks a free one)", PORT))
    .option("--dir <path>", "schedules directory inside the repo", "schedules")
    .option("--no-workers", "apply and serve only; run no jobs")
    .addOption(retentionOption())
    .addOption(staleAfterOption())
    .addOption(notifyOption())
    .addHelpText(
      "after",
      `
Examples:
  $ npm start
  $ npx schedsync start --port 0

Commit a change under schedules/ and it is applied within seconds. Set
MONGODB_URI to use a real MongoDB instead of the embedded FerretDB.`,
    )
    .action(async (o: StartOptions) => (await import("./serving.js")).start(o));
}
