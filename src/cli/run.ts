// `schedsync run <key>`: one run of one service, now, in this process.
import type { Command } from "commander";
import { createPortFactory, storeJournal } from "../connectors/index.js";
import { runNow } from "../runtime/manual.js";
import { CliError } from "./errors.js";
import { withStore } from "./reconcile-options.js";

export function register(program: Command): void {
  program
    .command("run <key>")
    .description("Run one service now (a download, a push, or a merchant's cleanup) and print what it did.")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Keys are as in \`schedsync status\`: <merchant>/<service> or <merchant>/<cart>/<service>.
Exit code 1 when another run of the same key is in progress.

Examples:
  $ schedsync run acme/shop1/orderDownload
  $ schedsync run acme/orderDelivery --json`,
    )
    .action(async (key: string, o: { json?: boolean }) => {
      const report = await withStore(o.json, (store) =>
        runNow(store.db, key, { ports: createPortFactory({ sandboxJournal: storeJournal(store.db) }) }),
      );
      if (report === "busy") throw new CliError(`${key} is running elsewhere; try again when it ends`);
      console.log(o.json ? JSON.stringify(report, null, 2) : `${key}: ${summary(report)}`);
    });
}

function summary(report: object): string {
  return Object.entries(report)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(",") || "-" : String(v)}`)
    .join(", ");
}
