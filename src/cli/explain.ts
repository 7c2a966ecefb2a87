// `schedsync explain <merchant>[/<cart>]`: effective frequencies and the next runs.
import type { Command } from "commander";
import { explainText, findTarget, frequencyText } from "../config/explain.js";
import { formatFrequency } from "../config/frequency.js";
import { loadSchedules } from "../config/load.js";
import { locateSchedules } from "../config/repo-root.js";
import { nextRuns } from "../schedule/next-runs.js";
import { serviceKey } from "../schedule/phase.js";
import { CliError } from "./errors.js";

interface Options {
  dir: string;
  count: string;
  from?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("explain")
    .description(
      "Show each service's effective frequency (after Defaults) for a merchant or one of its carts, and\n" +
        "its next run times in the merchant's timezone and in UTC.",
    )
    .argument("<target>", "a merchant id, or <merchant>/<cart>")
    .option("--dir <path>", "schedules directory", "./schedules")
    .option("--count <n>", "how many next runs to list (1-50)", "5")
    .option("--from <iso-time>", "list runs after this instant instead of now")
    .option("--json", "print JSON instead of text")
    .addHelpText(
      "after",
      `
Examples:
  $ schedsync explain acme
  $ schedsync explain acme/shopify-us --count 10
  $ schedsync explain acme --from 2026-03-08T00:00:00Z   # around a DST change`,
    )
    .action(async (ref: string, o: Options) => {
      const count = Number(o.count);
      if (!Number.isInteger(count) || count < 1 || count > 50)
        throw new CliError(`--count must be 1..50, got ${o.count}`);
      const from = o.from ? new Date(o.from) : new Date();
      if (Number.isNaN(from.getTime())) throw new CliError(`--from is not a date: ${o.from}`);
      const { rootDir, dir } = await locateSchedules(o.dir);
      const loaded = await loadSchedules({ rootDir, dir });
      if (!loaded.ok) {
        const lines = loaded.errors.map((e) => `${e.file}:${e.line}:${e.column}: error: ${e.message}`);
        throw new CliError(`the schedules are invalid (run schedsync validate)\n${lines.join("\n")}`);
      }
      const target = findTarget(loaded.model, ref);
      if (typeof target === "string") throw new CliError(target);
      if (!o.json) return void console.log(explainText(target, from, count));
      const owner = target.cart ?? target.merchant;
      const tz = target.merchant.timezone;
      const services = Object.fromEntries(
        Object.entries(owner.services).map(([name, f]) => [
          name,
          {
            frequency: formatFrequency(f),
            text: frequencyText(f),
            next: nextRuns(f, tz, from, count, serviceKey(target.merchant.id, target.cart?.id ?? null, name)),
          },
        ]),
      );
      console.log(
        JSON.stringify({ target: ref, timezone: tz, suspended: owner.suspended, services }, null, 2),
      );
    });
}
