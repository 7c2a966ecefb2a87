// `schedsync simulate`: the load the schedules create, per service and 15-minute slot.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { type LoadResult, loadSchedules } from "../config/load.js";
import { readRevision, SourceError } from "../reconcile/source.js";
import { simulate } from "../schedule/simulate.js";
import { svgChart, textChart } from "../schedule/simulate-chart.js";
import { CliError } from "./errors.js";

interface Options {
  days: string;
  out?: string;
  dir: string;
  repo?: string;
  ref?: string;
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
    .option("--dir <path>", "schedules directory (read from the work tree unless --ref)", "schedules")
    .option("--ref <ref>", "read the schedules from this commit instead of the work tree (git objects only)")
    .option("--repo <path|url>", "with --ref: the git repository (default: the current directory's repo)")
    .option("--from <iso-time>", "start instead of now (e.g. 2026-01-05T00:00:00Z)")
    .option("--json", "print the counts as JSON instead of the text chart")
    .addHelpText(
      "after",
      `
Each line of the text chart is one UTC day, each character one 15-minute slot, scaled to the busiest
slot (the peak, named below the chart). Automatic services run on demand and are not charted.

Examples:
  $ schedsync simulate
  $ schedsync simulate --days 2 --out docs/img/simulate.svg
  $ schedsync simulate --repo pr-head --ref "$HEAD_SHA"   # a PR's schedules as data (CI plan job)`,
    )
    .action(async (o: Options) => {
      const days = Number(o.days);
      if (!Number.isInteger(days) || days < 1 || days > 31)
        throw new CliError(`--days must be 1..31, got ${o.days}`);
      const from = o.from ? new Date(o.from) : new Date();
      if (Number.isNaN(from.getTime())) throw new CliError(`bad --from ${o.from}`);
      const loaded = await load(o);
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

/** From the work tree, or with --ref from one commit's tree as plan reads it (symlinks refused). */
async function load(o: Options): Promise<LoadResult> {
  if (!o.ref) return loadSchedules({ rootDir: process.cwd(), dir: o.dir });
  const rev = await readRevision({ repo: o.repo, ref: o.ref, dir: o.dir }).catch((err: unknown) => {
    throw err instanceof SourceError ? new CliError(err.message) : err;
  });
  if (rev.rejected.length)
    throw new CliError(rev.rejected.map((r) => `${r.path}: error: ${r.path} ${r.reason}`).join("\n"));
  return loadSchedules({ rootDir: ".", dir: rev.dir, files: rev.files });
}
