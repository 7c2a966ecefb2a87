// `schedsync records`: where records stand per destination.
import type { Command } from "commander";
import { DELIVERY_STATES, type DeliveryState } from "../records/types.js";
import { enumOption, intOption } from "./option-types.js";
import type { RecordsPage } from "./views/records.js";

const STATES: readonly DeliveryState[] = DELIVERY_STATES;

interface Options {
  status?: DeliveryState;
  merchant?: string;
  limit: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("records")
    .description("List records and their delivery state per destination (newest change first).")
    .addOption(enumOption("--status <state>", `only this state: ${STATES.join(", ")}`, STATES))
    .option("--merchant <id>", "only this merchant")
    .addOption(intOption("--limit <n>", "at most this many", { min: 1, max: 100_000, default: 100 }))
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
A record that failed is retried by its service's next run (Automatic: the next
trigger or the merchant's cleanup run). One that failed too often or too long
is \`skipped\`. One the receiver refused as not retryable is \`held\` at once:
no run, trigger or cleanup sends it again. For both, fix the cause, then
\`npx schedsync resend <record-id>\`.

Delivered records past the workers' --retention live in an archive out of the
workers' way; they are listed and counted here all the same.

When more records match than --limit, the last line says so ("showing 100 of
120 (use --limit)"); with --json the array stays as it is and the line goes to
stderr.

Examples:
  $ npx schedsync records --status failed
  $ npx schedsync records --status held
  $ npx schedsync records --status skipped --merchant acme --json`,
    )
    .action(async (o: Options) => {
      const [
        { countDeliveries, listDeliveries },
        { withStore },
        { recordsView, truncationNote },
        { render },
      ] = await Promise.all([
        import("../records/index.js"),
        import("./store-session.js"),
        import("./views/records.js"),
        import("./views/view.js"),
      ]);
      const query = { state: o.status, merchantId: o.merchant };
      const page: RecordsPage = await withStore(o.json, async (store) => {
        const rows = await listDeliveries(store.db, { ...query, limit: o.limit });
        const total = rows.length < o.limit ? rows.length : await countDeliveries(store.db, query);
        return { rows, total, limit: o.limit };
      });
      render(recordsView, page, o);
      const note = truncationNote(page);
      if (o.json && note) console.error(note);
    });
}
