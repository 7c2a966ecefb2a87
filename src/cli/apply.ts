// `schedsync apply`: make the jobs in MongoDB equal to a git revision.
import type { Command } from "commander";
import { reconcile } from "../reconcile/engine.js";
import {
  addSourceOptions,
  cliErrorFrom,
  guardLine,
  parseRecheck,
  planJson,
  planText,
  RECHECK_HELP,
  type SourceFlags,
  withStore,
} from "./reconcile-options.js";

interface ApplyFlags extends SourceFlags {
  allowMassDelete?: boolean;
  allowRollback?: boolean;
  approvedBy?: string;
  recheckAfter: string;
}

export function register(program: Command): void {
  addSourceOptions(
    program
      .command("apply")
      .description("Apply a git revision of the schedules to the Agenda jobs in MongoDB."),
  )
    .option("--allow-mass-delete", "allow a plan that deletes more than half of the managed jobs")
    .option("--allow-rollback", "allow applying a revision older than (an ancestor of) the applied one")
    .option(
      "--approved-by <who>",
      "who approved the --allow-* flags (recorded in history; CI passes the actor)",
    )
    .option("--recheck-after <duration>", RECHECK_HELP, "0")
    .addHelpText(
      "after",
      `
Safety: an invalid revision, an unreadable repo or a revision without schedules changes nothing and
exits 1. One apply runs at a time per database (a lease lock); an older revision than the applied one
is skipped, saying why, with exit 1 unless --allow-rollback (then history records a rollback).
Unchanged jobs are not written at all. The --allow-* flags and --approved-by are recorded in history.

Drift: by default every managed job is compared with the revision, so a job edited in MongoDB is
found and restored. With --recheck-after 15m, re-applying a revision that was applied and compared
less than 15 minutes ago reads neither the schedules nor the jobs (a no-op in well under a second);
schedsync serve does this between its full comparisons.

Exit codes: 0 applied or already in sync, 1 error, refused by a guard, or skipped (an older revision).

Examples:
  $ schedsync apply
  $ schedsync apply --ref "$GITHUB_SHA" --json
  $ schedsync apply --ref v41 --allow-rollback --approved-by alice   # go back to an older commit
  $ schedsync apply --recheck-after 15m      # cheap when nothing changed (cron jobs, loops)`,
    )
    .action(async (o: ApplyFlags) => {
      const tty = process.stderr.isTTY && !o.json && !process.env.CI;
      const recheckAfterMs = parseRecheck(o.recheckAfter);
      const result = await withStore(o.json, (store) =>
        reconcile({
          db: store.db,
          repo: o.repo,
          ref: o.ref,
          dir: o.dir,
          allowMassDelete: o.allowMassDelete,
          allowRollback: o.allowRollback,
          approvedBy: o.approvedBy,
          recheckAfterMs,
          log: tty ? (line) => console.error(line) : undefined,
          onProgress: tty
            ? (done, total) => process.stderr.write(`\rapplying ${done}/${total} changes`)
            : undefined,
        }),
      ).catch((err) => cliErrorFrom(err, o.json));
      if (tty && result.plan.changes.length) process.stderr.write("\n");
      const { plan, revision, outcome, note, compared, appliedRevision, guards } = result;
      if (o.json) {
        const extra = { compared, appliedRevision, guards, ...(note ? { note } : {}) };
        console.log(JSON.stringify({ ...planJson(revision.sha, plan), outcome, ...extra }, null, 2));
      } else if (outcome === "skipped") {
        // Nothing was planned: the guard and why, not a plan of zeros.
        console.log([`revision ${revision.sha}`, ...guards.map(guardLine), note].join("\n"));
      } else {
        console.log(planText(revision.sha, plan, guards));
        console.log(note ?? (outcome === "applied" ? "Applied." : "Already in sync; nothing written."));
      }
      // Skipped: an older revision was not applied; CI must not report that as a success.
      if (outcome === "skipped") process.exitCode = 1;
    });
}
