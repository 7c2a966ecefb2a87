// `schedsync history`: the record of applies.
import type { Command } from "commander";
import { listHistory } from "../reconcile/history.js";
import { CliError } from "./errors.js";
import { withStore } from "./reconcile-options.js";

export function register(program: Command): void {
  program
    .command("history")
    .description("List recent applies: revision, author, outcome, plan summary, duration, error.")
    .option("--limit <n>", "how many entries, newest first", "20")
    .option("--json", "print JSON")
    .action(async (o: { limit: string; json?: boolean }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new CliError(`--limit must be 1..10000, got ${o.limit}`);
      const entries = await withStore(o.json, (store) => listHistory(store.db, limit));
      if (o.json) {
        console.log(JSON.stringify(entries, null, 2));
        return;
      }
      if (entries.length === 0) console.log("no applies recorded yet");
      for (const e of entries) {
        const s = e.summary ? ` +${e.summary.create} ~${e.summary.update} -${e.summary.delete}` : "";
        const first = e.message.split("\n")[0] ?? "";
        const back = e.guards?.find((g) => g.guard === "rollback" && g.allowed);
        const extra = [
          back?.guard === "rollback" ? `\n    rollback from ${back.applied.slice(0, 12)}` : "",
          e.approval
            ? `\n    approved by ${e.approval.by || "(unnamed)"}: ${e.approval.allow.join(", ")}`
            : "",
          e.error ? `\n    error: ${e.error}` : "",
        ].join("");
        console.log(
          `${e.startedAt.toISOString()}  ${e.revision.slice(0, 12)}  ${e.outcome.padEnd(8)}${s}  ${e.durationMs} ms  ${e.author}  ${first}${extra}`,
        );
      }
    });
}
