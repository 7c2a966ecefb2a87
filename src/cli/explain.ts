// `schedsync explain <merchant>[/<cart>]`: effective frequencies and the next runs.
import type { Command } from "commander";
import { CliError } from "./errors.js";
import { dateOption, intOption } from "./option-types.js";

interface Options {
  dir?: string;
  count: number;
  from?: Date;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("explain")
    .description(
      "Show each service's effective frequency (after Defaults) for a merchant or one of its carts, " +
        "and its next run times in the merchant's timezone and in UTC.",
    )
    .argument("<target>", "a merchant id, or <merchant>/<cart>")
    .option("--dir <path>", "schedules directory (default: schedules/ of this repo)")
    .addOption(intOption("--count <n>", "how many next runs to list (1-50)", { min: 1, max: 50, default: 5 }))
    .addOption(dateOption("--from <iso-time>", "list runs after this instant instead of now"))
    .option("--json", "print JSON instead of text")
    .addHelpText(
      "after",
      `
Examples:
  $ npx schedsync explain acme
  $ npx schedsync explain acme/shopify-us --count 10
  $ npx schedsync explain acme --from 2026-03-08T00:00:00Z  # near a DST change`,
    )
    .action(async (ref: string, o: Options) => {
      const [{ findTarget }, { loadValidSchedules }, { explainView }, { render }] = await Promise.all([
        import("../config/explain.js"),
        import("./schedules.js"),
        import("./views/explain.js"),
        import("./views/view.js"),
      ]);
      const model = await loadValidSchedules(o.dir);
      const target = findTarget(model, ref);
      if (typeof target === "string") throw new CliError(target);
      render(explainView, { ref, target, from: o.from ?? new Date(), count: o.count }, o);
    });
}
