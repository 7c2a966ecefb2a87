// Options and output shared by plan, apply, status and history.
import type { Command } from "commander";
import type { ConfigError } from "../config/errors.js";
import { canonicalText } from "../config/explain.js";
import type { NextRunDrift, Plan, SpecView } from "../jobs/types.js";
import { parseInterval } from "../platform/duration.js";
import { LockBusyError } from "../platform/lease.js";
import { RevisionRejectedError } from "../reconcile/errors.js";
import { SourceError } from "../reconcile/source.js";
import { openStore, type Store } from "../store/index.js";
import { CliError } from "./errors.js";

export interface SourceFlags {
  repo?: string;
  ref: string;
  dir: string;
  json?: boolean;
}

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option("--repo <path|url>", "git repository with the schedules (default: the current directory's repo)")
    .option("--ref <ref>", "branch, tag or commit to read (only committed files are read)", "HEAD")
    .option("--dir <path>", "schedules directory inside the repo", "schedules")
    .option("--json", "print JSON instead of text");
}

/** Opens the store, runs fn, closes the store; progress lines go to stderr unless --json or CI. */
export async function withStore<T>(json: boolean | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const quiet = json || !!process.env.CI;
  const store = await openStore({ log: quiet ? undefined : (line) => console.error(line) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function formatErrors(errors: ConfigError[]): string {
  return errors.map((e) => `${e.file}:${e.line}:${e.column}: error: ${e.message}`).join("\n");
}

/** Maps the reconcile stages' errors to one clear CLI error (exit 1). */
export function cliErrorFrom(err: unknown, json: boolean | undefined): never {
  if (err instanceof RevisionRejectedError) {
    if (json) {
      console.log(JSON.stringify({ error: err.message, errors: err.errors }, null, 2));
      throw new CliError("", 1);
    }
    const detail = err.errors.length ? `\n${formatErrors(err.errors)}` : "";
    throw new CliError(`${err.message}; nothing was changed${detail}`);
  }
  if (err instanceof SourceError || err instanceof LockBusyError) throw new CliError(err.message);
  throw err;
}

export function planJson(revision: string, plan: Plan) {
  return {
    revision,
    changes: plan.changes.map((c) => ({
      action: c.action,
      key: c.key,
      reason: c.reason,
      before: c.before,
      after: c.after,
      ...(c.action === "update" && c.nextRun ? { nextRun: c.nextRun } : {}),
    })),
    summary: plan.summary,
  };
}

function view(v: SpecView | null): string {
  if (!v) return "";
  return `${canonicalText(v.frequency)} (${v.timezone}${v.disabled ? ", disabled" : ""})`;
}

function nextRunText(d: NextRunDrift | undefined): string {
  if (!d) return "";
  const at = d.nextRunAt ? `next run ${d.nextRunAt.toISOString()}` : "no next run";
  return `: ${at}, the schedule's next is ${d.scheduledBy.toISOString()}`;
}

/** A readable diff: + create, ~ update, - delete, with the reason. */
export function planText(revision: string, plan: Plan): string {
  const s = plan.summary;
  const lines = [`revision ${revision}`];
  for (const c of plan.changes) {
    if (c.action === "create") lines.push(`  + ${c.key}  ${view(c.after)}`);
    else if (c.action === "delete") lines.push(`  - ${c.key}  ${view(c.before)}  [${c.reason}]`);
    else
      lines.push(
        `  ~ ${c.key}  ${view(c.before)} → ${view(c.after)}  [${c.reason}${nextRunText(c.nextRun)}]`,
      );
  }
  lines.push(
    `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged.`,
  );
  return lines.join("\n");
}

export const RECHECK_HELP =
  "on a revision that is already applied, compare every job again (to find jobs edited in MongoDB) " +
  "only when the last comparison is older than this; 0 = every time";

/** `--recheck-after`: 0 (or "always") = compare every time, else a duration such as 15m. */
export function parseRecheck(text: string): number {
  if (/^\s*(0|always)\s*$/i.test(text)) return 0;
  try {
    return parseInterval(text);
  } catch (err) {
    throw new CliError(`--recheck-after: ${(err as Error).message}; or 0 to compare every time`);
  }
}
