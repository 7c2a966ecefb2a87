// `schedsync plan-comment`: renders `schedsync plan --json` output as the PR comment (CI uses it).
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { GuardHit } from "../reconcile/guards.js";
import { CliError } from "./errors.js";
import { intOption } from "./option-types.js";
import type { CommentPlan } from "./views/plan-comment.js";

interface Options {
  base?: string;
  behind?: number;
  simulation?: string;
  runUrl?: string;
  environment?: string;
  json?: boolean;
}

function sha(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  const s =
    (v as { sha?: unknown; revision?: unknown } | undefined)?.sha ?? (v as { revision?: unknown })?.revision;
  return typeof s === "string" ? s : undefined;
}

export interface PlanDoc {
  plan: CommentPlan;
  revision?: string;
  applied?: string;
  guards?: GuardHit[];
  nextRuns?: Record<string, string[]>;
}

/** Accepts `{ plan: {changes, summary}, revision, applied }` or a bare plan (with guards, nextRuns). */
export function fromPlanJson(doc: unknown): PlanDoc {
  const d = (doc ?? {}) as Record<string, unknown>;
  const plan = (d.plan ?? d) as CommentPlan;
  if (!Array.isArray(plan.changes) || typeof plan.summary !== "object")
    throw new CliError(
      "the plan JSON has no changes/summary (expected the output of `schedsync plan --json`)",
    );
  return {
    plan,
    revision: sha(d.revision) ?? sha((plan as { revision?: unknown }).revision),
    applied: sha(d.appliedRevision) ?? sha(d.applied) ?? sha((plan as { applied?: unknown }).applied),
    guards: Array.isArray(d.guards) ? (d.guards as GuardHit[]) : undefined,
    nextRuns: d.nextRuns && typeof d.nextRuns === "object" ? (d.nextRuns as PlanDoc["nextRuns"]) : undefined,
  };
}

export function register(program: Command): void {
  program
    .command("plan-comment")
    .description(
      "Render the JSON of `schedsync plan --json` as the pull-request comment (markdown, to stdout).",
    )
    .argument("<plan.json>", "file written by `schedsync plan --json` (- for stdin)")
    .option("--base <branch>", "the PR's base branch, named in the not-up-to-date warning")
    .addOption(
      intOption("--behind <n>", "commits of the base branch the PR lacks (0: up to date)", { min: 0 }),
    )
    .option("--simulation <file>", "output of `schedsync simulate`; its peak line is embedded")
    .option("--run-url <url>", "link to the CI run")
    .option("--environment <name>", "target environment named in the heading")
    .option("--json", "print the markdown, its marker and the plan summary as JSON")
    .addHelpText(
      "after",
      `
The comment shows the applied revision, the changes, the guards apply will
refuse without approval and the next runs of created or rescheduled jobs, all
read from the plan JSON.

Example (what .github/workflows/validate.yml runs):
  $ npx schedsync plan --repo pr-head --ref "$HEAD_SHA" --json > plan.json
  $ npx schedsync plan-comment plan.json --base main --behind 2 \\
      --simulation simulate.txt > plan.md`,
    )
    .action(async (file: string, o: Options) => {
      const [{ planCommentView }, { render }] = await Promise.all([
        import("./views/plan-comment.js"),
        import("./views/view.js"),
      ]);
      const text = file === "-" ? await readStdin() : await readFile(file, "utf8");
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        throw new CliError(`${file} is not JSON`);
      }
      const { plan, revision, applied, guards, nextRuns } = fromPlanJson(doc);
      const behind = o.behind;
      const simulation = o.simulation
        ? (await readFile(o.simulation, "utf8")).split("\n").find((l) => l.startsWith("peak:"))
        : undefined;
      const view = planCommentView({
        revision: revision ?? "",
        appliedRevision: applied,
        environment: o.environment,
        baseBranch: o.base,
        behindBy: behind,
        upToDate: behind === undefined ? undefined : behind === 0,
        simulation,
        runUrl: o.runUrl,
        guards,
        nextRuns,
      });
      render(view, plan, o);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
