// `schedsync simulate`: the load the schedules create, per service and 15-minute slot.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadSchedules } from "../config/load.js";
import { simulate } from "../schedule/simulate.js";
import { svgChart, textChart } from "../schedule/simulate-chart.js";
import { CliError } from "./errors.js";

interface Options {
  days: string;
  out?: string;
  dir: string;
  from?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command("simulate")
    .description(
      "Chart the runs each service makes in every 15-minute slot over the coming days, from the schedules " +
        "alone (no store), so load spikes show before merging.",
    )
    .option("--days <n>", "days to simulate (1-31)", "7")
    .option("--out <file.svg>", "also write the chart as an SVG file")
    .option("--dir <path>", "schedules directory (read from the work tree)", "schedules")
    .option("--from <iso-time>", "start instead of now (e.g. 2026-01-05T00:00:00Z)")
    .option("--json", "print the counts as JSON instead of the text chart")
    .addHelpText(
      "after",
      `
Each line of the text chart is one UTC day, each character one 15-minute slot, scaled to the busiest
slot (the peak, named below the chart). Automatic services run on demand and are not charted.

Examples:
  $ schedsync simulate
  $ schedsync simulate --days 2 --out docs/img/simulate.svg`,
    )
    .action(async (o: Options) => {
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1 || days > 31)
        throw new CliError(`--days must be 1..31, got ${o.days}`);
      const from = o.from ? new Date(o.from) : new Date();
      if (Number.isNaN(from.getTime())) throw new CliError(`bad --from ${o.from}`);
      const loaded = await loadSchedules({ rootDir: process.cwd(), dir: o.dir });
      if (!loaded.ok) {
        const lines = loaded.errors.map((e) => `${e.file}:${e.line}:${e.column}: error: ${e.message}`);
        throw new CliError(`the schedules are invalid (run schedsync validate)\n${lines.join("\n")}`);
      }
      const sim = simulate(loaded.model, { days, from });
      if (o.out) await writeFile(o.out, svgChart(sim));
      if (o.json) {
        console.log(
          JSON.stringify(
            {
              start: sim.start,
              slotMinutes: sim.slotMs / 60_000,
              peak: sim.peak,
              services: Object.fromEntries(sim.services.map((s) => [s, sim.counts.get(s)])),
              totals: sim.totals,
            },
            null,
            2,
          ),
        );
      } else {
        console.log(textChart(sim));
        if (o.out) console.log(`chart written to ${o.out}`);
      }
    });
}
