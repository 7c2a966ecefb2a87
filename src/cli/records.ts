// `schedsync records`: where records stand per destination.
import type { Command } from "commander";
import { DELIVERY_STATES, type DeliveryState, listDeliveries } from "../records/index.js";
import { CliError } from "./errors.js";
import { withStore } from "./reconcile-options.js";

const STATES: readonly string[] = DELIVERY_STATES;

export function register(program: Command): void {
  program
    .command("records")
    .description("List records and their delivery state per destination (newest change first).")
    .option("--status <state>", `only this state: ${STATES.join(", ")}`)
    .option("--merchant <id>", "only this merchant")
    .option("--limit <n>", "at most this many", "100")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
A record that failed is retried by its service's next run (Automatic: the next trigger or the
merchant's cleanup run). One that failed too often or too long is \`skipped\`. One the receiver
rejected as not retryable is \`held\` at once: no run, trigger or cleanup sends it again. For
both, fix the cause, then \`schedsync resend <record-id>\`.

Examples:
  $ schedsync records --status failed
  $ schedsync records --status held
  $ schedsync records --status skipped --merchant acme --json`,
    )
    .action(async (o: { status?: string; merchant?: string; limit: string; json?: boolean }) => {
      if (o.status && !STATES.includes(o.status)) throw new CliError(`bad --status ${o.status}`);
      const rows = await withStore(o.json, (store) =>
        listDeliveries(store.db, {
          state: o.status as DeliveryState | undefined,
          merchantId: o.merchant,
          limit: Number(o.limit),
        }),
      );
      if (o.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) console.log("no records");
      for (const d of rows) {
        const to = d.cartId ? `cart ${d.cartId}` : "wms";
        const err = d.lastError ? `  ${d.lastError}` : "";
        console.log(`${d.recordId}  ${d.service} → ${to}  ${d.state}  attempts ${d.attempts}${err}`);
      }
    });
}
