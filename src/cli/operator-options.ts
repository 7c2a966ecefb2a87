// Options of the operator's view shared by status, serve and start: k of the staleness rule and
// the notification webhook.
import type { Command } from "commander";
import { DEFAULT_STALE_AFTER_RUNS } from "../jobs/health.js";
import { CliError } from "./errors.js";

export const STALE_AFTER_HELP = `a scheduled job with no success in this many of its runs is stale (default ${DEFAULT_STALE_AFTER_RUNS})`;

export function addStaleAfterOption(cmd: Command): Command {
  return cmd.option("--stale-after <runs>", STALE_AFTER_HELP, String(DEFAULT_STALE_AFTER_RUNS));
}

/** --stale-after: a whole number of runs, 1 to 1000. */
export function parseStaleAfter(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1 || n > 1000)
    throw new CliError(`--stale-after wants a whole number of runs from 1 to 1000, got "${text}"`);
  return n;
}

export const NOTIFY_HELP =
  "name of the environment variable holding a Slack-compatible webhook URL for notifications (stale or failing jobs, skipped records, failed applies)";

export function addNotifyOption(cmd: Command): Command {
  return cmd.option("--notify-url-env <name>", NOTIFY_HELP);
}

/** The webhook URL from the named env var; undefined without --notify-url-env. Never echoes the URL. */
export function notifyUrl(
  envName: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (envName === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(envName))
    throw new CliError(`--notify-url-env: "${envName}" is not a variable name`);
  const url = env[envName];
  if (!url) throw new CliError(`--notify-url-env ${envName}: the variable is not set`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--notify-url-env ${envName}: the variable does not hold a URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new CliError(`--notify-url-env ${envName}: the URL must be http(s)`);
  return url;
}
