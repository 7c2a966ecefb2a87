// `schedsync pause` / `schedsync resume`: the emergency runtime pause (docs/operations.md).
import { userInfo } from "node:os";
import type { Command } from "commander";
import { durationFix, parseInterval } from "../platform/duration.js";
import { CliError } from "./errors.js";
import { UsageError } from "./option-types.js";

const TARGET_HELP = "<merchant>, <merchant>/<cart> or a job key (acme/orderDelivery, acme/web/orderDownload)";

/** --until: an ISO 8601 instant, or a duration from now ("2h"). */
function parseUntil(text: string): Date {
  if (/^\d{4}-\d\d-\d\d/.test(text)) {
    const d = new Date(text);
    if (!Number.isNaN(d.getTime())) return d;
  } else {
    try {
      return new Date(Date.now() + parseInterval(text));
    } catch {}
  }
  const fix = durationFix(text);
  throw new UsageError(
    `--until: expected an ISO 8601 time (2026-12-01T06:00:00Z) or a duration (2h), got "${text}"${fix ? `; ${fix}` : ""}`,
  );
}

/** Who pauses: --by, else GITHUB_ACTOR (a workflow), else the OS user. */
function whoami(by: string | undefined): string {
  if (by?.trim()) return by.trim();
  if (process.env.GITHUB_ACTOR) return process.env.GITHUB_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

async function run<T>(json: boolean | undefined, fn: (db: import("mongodb").Db) => Promise<T>): Promise<T> {
  const [{ withStore }, { PauseError }] = await Promise.all([
    import("./store-session.js"),
    import("../reconcile/pause.js"),
  ]);
  try {
    return await withStore(json, (store) => fn(store.db));
  } catch (err) {
    if (err instanceof PauseError) throw new CliError(`${err.message}; nothing was changed`);
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command("pause")
    .description(
      "Emergency pause: disable the managed jobs of a merchant, a cart or one job now, in the store. " +
        "The reconciler keeps them paused (plan and apply show them as paused and never write them) until `schedsync resume`.",
    )
    .argument("<target>", TARGET_HELP)
    .requiredOption("--reason <text>", "why (shown by status, plan and the status page)")
    .option(
      "--until <time>",
      "resume by itself then: an ISO 8601 time or a duration from now (2h)",
      parseUntil,
    )
    .option("--by <name>", "who pauses (default: $GITHUB_ACTOR, else the OS user)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ npx schedsync pause acme --reason "WMS down, INC-123"
  $ npx schedsync pause acme/shopify-us --reason "API rate-limited" --until 2h
  $ npx schedsync pause acme/orderDelivery --reason "duplicates" --by alice
  $ npx schedsync status --merchant acme   # PAUSED column: by, since, reason
  $ npx schedsync resume acme

The workers resume by themselves when --until passes. JSON: {"pause": {"target",
"by", "reason", "since", "until"}, "keys": [...]}.
Exit codes: 0 paused, 1 error (unknown target, already paused; nothing written).`,
    )
    .action(async (target: string, o: { reason: string; until?: Date; by?: string; json?: boolean }) => {
      const [{ pause }, { pauseView }, { render }] = await Promise.all([
        import("../reconcile/pause.js"),
        import("./views/pause.js"),
        import("./views/view.js"),
      ]);
      const by = whoami(o.by);
      const r = await run(o.json, (db) =>
        pause(db, { target, by, reason: o.reason, until: o.until ?? null }),
      );
      render(pauseView, r, o);
    });

  program
    .command("resume")
    .description(
      "End an emergency pause: the jobs it holds get their state back; the next apply applies held changes.",
    )
    .argument("<target>", "the target given to `schedsync pause`")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ npx schedsync resume acme
  $ npx schedsync resume acme/shopify-us --json

Exit codes: 0 resumed, 1 error (no pause on that target; nothing written).`,
    )
    .action(async (target: string, o: { json?: boolean }) => {
      const [{ resume }, { resumeView }, { render }] = await Promise.all([
        import("../reconcile/pause.js"),
        import("./views/pause.js"),
        import("./views/view.js"),
      ]);
      const r = await run(o.json, (db) => resume(db, target));
      render(resumeView, r, o);
    });
}
