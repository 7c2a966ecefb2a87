// `schedsync apply`: make the jobs in MongoDB equal to a git revision.
import type { Command } from "commander";
import { addSourceOptions, recheckOption, type SourceFlags } from "./reconcile-options.js";

interface ApplyFlags extends SourceFlags {
  allowMassDelete?: boolean;
  allowRollback?: boolean;
  approvedBy?: string;
  recheckAfter: number;
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
    .addOption(recheckOption("0"))
    .addHelpText(
      "after",
      `
Safety: an invalid revision, an unreadable repo or a revision without schedules
changes nothing and exits 1. One apply runs at a time per database (a lease
lock); an older revision than the applied one is skipped, saying why, with
exit 1 unless --allow-rollback (then history records a rollback). Unchanged
jobs are not written at all. History records --allow-* and --approved-by.

Drift: by default every managed job is compared with the revision, so a job
edited in MongoDB is found and restored. With --recheck-after 15m, re-applying
a revision that was applied and compared less than 15 minutes ago reads
neither the schedules nor the jobs (a no-op in well under a second);
schedsync serve does this between its full comparisons.

Exit codes: 0 applied or already in sync; 1 error, refused by a guard, or
skipped (an older revision).

Examples:
  $ npx schedsync apply
  $ npx schedsync apply --ref "$GITHUB_SHA" --json
  $ npx schedsync apply --ref v41 --allow-rollback --approved-by alice
  $ npx schedsync apply --recheck-after 15m   # cheap when nothing changed`,
    )
    .action(async (o: ApplyFlags) => {
      const [{ reconcile }, { cliErrorFrom, withStore }, { applyView }, { render }] = await Promise.all([
        import("../reconcile/engine.js"),
        import("./store-session.js"),
        import("./views/plan.js"),
        import("./views/view.js"),
      ]);
      const tty = process.stderr.isTTY && !o.json && !process.env.CI;
      const result = await withStore(o.json, (store) =>
        reconcile({
          db: store.db,
          repo: o.repo,
          ref: o.ref,
          dir: o.dir,
          allowMassDelete: o.allowMassDelete,
          allowRollback: o.allowRollback,
          approvedBy: o.approvedBy,
          recheckAfterMs: o.recheckAfter,
          log: tty ? (line) => console.error(line) : undefined,
          onProgress: tty
            ? (done, total) => process.stderr.write(`\rapplying ${done}/${total} changes`)
            : undefined,
        }),
      ).catch((err) => cliErrorFrom(err, o.json));
      if (tty && result.plan.changes.length) process.stderr.write("\n");
      render(applyView, result, o);
      // Skipped: an older revision was not applied; CI must not report that as a success.
      if (result.outcome === "skipped") process.exitCode = 1;
    });
}
