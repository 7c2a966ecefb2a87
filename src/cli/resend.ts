// `schedsync resend <record-id…>`: back to pending, and a run for Automatic services.
import type { Command } from "commander";
import { CliError } from "./errors.js";

export function register(program: Command): void {
  program
    .command("resend <ids...>")
    .description("Send records again (failed, skipped or delivered ones), with a fresh attempt count.")
    .addHelpText(
      "after",
      `
Ids come from \`schedsync records\`: a record id (every destination of it) or
a delivery id (record>service:destination). Automatic services run within
their window; periodic ones send on their next run.

Examples:
  $ npx schedsync resend order:acme:shopify-us:1001
  $ npx schedsync resend inv:acme:SKU-1 ship:acme:T-77`,
    )
    .action(async (ids: string[]) => {
      const [{ budgetsIn, createConnectorFactory }, { resendAndTrigger }, { withStore }] = await Promise.all([
        import("../connectors/index.js"),
        import("../runtime/manual.js"),
        import("./store-session.js"),
      ]);
      const r = await withStore(false, (store) =>
        resendAndTrigger(store.db, ids, {
          connectors: createConnectorFactory({ budgets: budgetsIn(store.db) }),
        }),
      );
      console.log(`requeued ${r.requeued}; triggered ${r.triggered.join(", ") || "none"}`);
      if (r.unknown.length > 0) throw new CliError(`nothing to resend for: ${r.unknown.join(", ")}`);
    });
}
