// Options of the operator's view shared by status, serve and start: k of the staleness rule and
// the notification webhook's env var.
import { Option } from "commander";
import { DEFAULT_STALE_AFTER_RUNS } from "../jobs/freshness.js";
import { intOption, UsageError } from "./option-types.js";

/** --stale-after <runs>: k of the staleness rule (jobs/health.ts staleAt). */
export function staleAfterOption(): Option {
  return intOption(
    "--stale-after <runs>",
    "a scheduled job with no success in this many of its runs is stale",
    { min: 1, max: 1000, default: DEFAULT_STALE_AFTER_RUNS },
  );
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** --notify-url-env <name>: the env var that holds the notification webhook's URL (a secret). */
export function notifyOption(): Option {
  return new Option(
    "--notify-url-env <name>",
    "environment variable holding a Slack-compatible webhook URL: stale or failing jobs, skipped records and failed applies are posted there",
  ).argParser((text: string) => {
    if (!ENV_NAME.test(text))
      throw new UsageError(`bad --notify-url-env ${text}: expected an environment variable name`);
    return text;
  });
}

/** The webhook URL from the named env var (undefined without one). Errors never echo the URL. */
export function notifyUrl(
  envName: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (envName === undefined) return undefined;
  const url = env[envName];
  if (!url) throw new UsageError(`--notify-url-env ${envName}: the variable is not set`);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:"))
    throw new UsageError(`--notify-url-env ${envName}: the variable does not hold an http(s) URL`);
  return url;
}
