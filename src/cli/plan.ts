// `schedsync plan`: what apply would change, without changing anything.
import type { Command } from "commander";
import { reconcile } from "../reconcile/engine.js";
import {
  addSourceOptions,
  cliErrorFrom,
  planJson,
  planText,
  type SourceFlags,
  withStore,
} from "./reconcile-options.js";

export function register(program: Command): void {
  addSourceOptions(
    program
      .command("plan")
      .description("Show the changes that `apply` would make to the jobs in MongoDB for a git revision."),
  )
    .addHelpText(
      "after",
      `
Exit codes: 0 in sync, 2 changes pending, 1 error (invalid revision, unreadable repo, store down).

The plan names the guards apply will refuse without approval (guards in --json: mass-delete, rollback,
each with its apply flag), the applied revision (appliedRevision) and the next runs of every created or
rescheduled job (nextRuns: key → ISO times).

Examples:
  $ schedsync plan                          # HEAD of the current repo, ./schedules
  $ schedsync plan --ref origin/main --json
  $ schedsync plan --repo pr-head --ref "$HEAD_SHA" --json   # a PR's schedules, read from git as data
  $ schedsync plan --repo https://github.com/acme/schedules.git --ref v42`,
    )
    .action(async (o: SourceFlags) => {
      const result = await withStore(o.json, (store) =>
        reconcile({ db: store.db, repo: o.repo, ref: o.ref, dir: o.dir, dryRun: true }),
      ).catch((err) => cliErrorFrom(err, o.json));
      const { plan, revision, appliedRevision, guards, nextRuns } = result;
      console.log(
        o.json
          ? JSON.stringify({ ...planJson(revision.sha, plan), appliedRevision, guards, nextRuns }, null, 2)
          : planText(revision.sha, plan, guards),
      );
      if (plan.changes.length > 0) process.exitCode = 2;
    });
}
