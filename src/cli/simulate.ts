// `schedsync simulate`: the load the schedules create, per service and 15-minute slot.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { dateOption, intOption } from "./option-types.js";

interface Options {
  days: number;
  out?: string;
  dir?: string;
  repo?: string;
  ref?: string;
  from?: Date;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("simulate")
    .description(
      "Chart the runs each service makes in every 15-minute slot over the coming days, from the " +
        "schedules alone (no store), so load spikes show before merging.",
    )
    .addOption(intOption("--days <n>", "days to simulate (1-31)", { min: 1, max: 31, default: 7 }))
    .option("--out <file.svg>", "also write the chart as an SVG file")
    .option(
      "--dir <path>",
      "schedules directory, read from the work tree (default: schedules/ of this repo); with --ref, inside the commit",
    )
    .option("--ref <ref>", "read the schedules from this commit's git objects instead of the work tree")
    .option("--repo <path|url>", "with --ref: the git repository (default: the current directory's repo)")
    .addOption(dateOption("--from <iso-time>", "start instead of now (e.g. 2026-01-05T00:00:00Z)"))
    .option("--json", "print the counts as JSON instead of the text chart")
    .addHelpText(
      "after",
      `
Each line of the text chart is one UTC day, each character one 15-minute slot,
scaled to the busiest slot (the peak, named below the chart). Automatic
services run on demand and are not charted. Connections with a rateLimit
get one line each: API calls in their busiest hour (at least one per run of
a periodic service) against the calls the budget allows in an hour.

Examples:
  $ npx schedsync simulate
  $ npx schedsync simulate --days 2 --out docs/img/simulate.svg
  $ npx schedsync simulate --repo pr-head --ref "$HEAD_SHA"   # a PR, as data`,
    )
    .action(async (o: Options) => {
      const [
        { simulate },
        { loadValidRevisionSchedules, loadValidSchedules },
        { simulateView, svgChart },
        { render },
      ] = await Promise.all([
        import("../schedule/simulate.js"),
        import("./schedules.js"),
        import("./views/simulate.js"),
        import("./views/view.js"),
      ]);
      const model = o.ref
        ? await loadValidRevisionSchedules({ repo: o.repo, ref: o.ref, dir: o.dir })
        : await loadValidSchedules(o.dir);
      const sim = simulate(model, { days: o.days, from: o.from ?? new Date() });
      if (o.out) await writeFile(o.out, svgChart(sim));
      render(simulateView(o.out), sim, o);
    });
}
