// `schedsync run <key>`: one run of one service, now, in this process.
import type { Command } from "commander";
import { CliError } from "./errors.js";

export function register(program: Command): void {
  program
    .command("run <key>")
    .description("Run one service now (a download, a push, or a merchant's cleanup) and print what it did.")
    .option("--json", "print JSON")
    .option("--ignore-blackout", "run even inside one of the key's blackout windows")
    .addHelpText(
      "after",
      `
Keys are as in \`schedsync status\`: <merchant>/<service> or
<merchant>/<cart>/<service>.
Exit code 1 when another run of the same key is in progress, or when the
key is inside one of its blackout windows (nothing is run; --ignore-blackout
runs it).

Examples:
  $ npx schedsync run acme/shopify-us/orderDownload
  $ npx schedsync run acme/orderDelivery --json`,
    )
    .action(async (key: string, o: { json?: boolean; ignoreBlackout?: boolean }) => {
      const [
        { budgetsIn, createConnectorFactory, storeJournal },
        { runNow },
        { withStore },
        { runView },
        { render },
      ] = await Promise.all([
        import("../connectors/index.js"),
        import("../runtime/manual.js"),
        import("./store-session.js"),
        import("./views/run.js"),
        import("./views/view.js"),
      ]);
      const report = await withStore(o.json, (store) =>
        runNow(
          store.db,
          key,
          {
            connectors: createConnectorFactory({
              sandboxJournal: storeJournal(store.db),
              budgets: budgetsIn(store.db),
            }),
          },
          { ignoreBlackout: o.ignoreBlackout === true },
        ),
      );
      if (report === "busy") throw new CliError(`${key} is running elsewhere; try again when it ends`);
      if ("refused" in report)
        throw new CliError(
          `${key} is inside a blackout window (${report.window}) until ${report.until}; nothing was run (--ignore-blackout runs it anyway)`,
        );
      render(runView, { key, report }, o);
      const reason = (report as { reason?: unknown }).reason;
      if (!o.json && typeof reason === "string" && reason)
        process.stderr.write(`${key}: reason: ${reason}\n`);
    });
}
