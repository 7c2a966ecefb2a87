// `schedsync plan`: what apply would change, without changing anything.
import type { Command } from "commander";
import { addSourceOptions, type SourceFlags } from "./reconcile-options.js";

export function register(program: Command): void {
  addSourceOptions(
    program
      .command("plan")
      .description("Show the changes that `apply` would make to the jobs in MongoDB for a git revision."),
  )
    .addHelpText(
      "after",
      `
Exit codes: 0 in sync, 2 changes pending, 1 error (invalid revision, unreadable
repo, store down).

The plan names the guards apply will refuse without approval (--json: guards,
each with its apply flag), the applied revision (appliedRevision) and the next
runs of every created or rescheduled job (nextRuns: key → ISO times).

Examples:
  $ npx schedsync plan                # HEAD of this repo, schedules/
  $ npx schedsync plan --ref origin/main --json
  $ npx schedsync plan --repo pr-head --ref "$HEAD_SHA" --json   # a PR, as data
  $ npx schedsync plan --repo https://github.com/acme/schedules.git --ref v42`,
    )
    .action(async (o: SourceFlags) => {
      const [{ reconcile }, { cliErrorFrom, withStore }, { planView }, { render }] = await Promise.all([
        import("../reconcile/engine.js"),
        import("./store-session.js"),
        import("./views/plan.js"),
        import("./views/view.js"),
      ]);
      const result = await withStore(o.json, (store) =>
        reconcile({ db: store.db, repo: o.repo, ref: o.ref, dir: o.dir, dryRun: true }),
      ).catch((err) => cliErrorFrom(err, o.json));
      render(planView, result, o);
      if (result.plan.changes.length > 0) process.exitCode = 2;
    });
}
