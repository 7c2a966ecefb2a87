// `schedsync history`: the record of applies.
import type { Command } from "commander";
import { intOption } from "./option-types.js";

export function register(program: Command): void {
  program
    .command("history")
    .description("List recent applies: revision, author, outcome, plan summary, duration, error.")
    .addOption(
      intOption("--limit <n>", "how many entries, newest first", { min: 1, max: 10_000, default: 20 }),
    )
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ npx schedsync history
  $ npx schedsync history --limit 5 --json`,
    )
    .action(async (o: { limit: number; json?: boolean }) => {
      const [{ listHistory }, { withStore }, { historyView }, { render }] = await Promise.all([
        import("../reconcile/history.js"),
        import("./store-session.js"),
        import("./views/history.js"),
        import("./views/view.js"),
      ]);
      const entries = await withStore(o.json, (store) => listHistory(store.db, o.limit));
      render(historyView, entries, o);
    });
}
