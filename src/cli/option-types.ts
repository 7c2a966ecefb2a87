// One parser per option type (commander argParsers): a bad value stops the command while commander
// parses, before anything opens the store, with one line naming the option and the accepted form:
// "bad --limit abc: expected an integer from 1 to 100000"; durations name the rule they break and
// the fix ("--interval: bad interval "90S": units are lower case; write "90s"", src/platform/duration.ts).
import { Option } from "commander";
import { parseInterval } from "../platform/duration.js";
import { CliError } from "./errors.js";

/** A bad option value; exits 1 like every invalid input (2 is `plan`'s "changes pending"). */
export class UsageError extends CliError {}

function optionName(option: Option): string {
  return option.long ?? option.short ?? option.flags;
}

function typed<T>(option: Option, parse: (text: string, name: string) => T): Option {
  return option.argParser((text: string) => parse(text, optionName(option)));
}

/** An integer option in [min, max]; the default is the number itself. */
export function intOption(
  flags: string,
  description: string,
  range: { min: number; max?: number; default?: number },
): Option {
  const { min, max } = range;
  const accepted = max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  const option = typed(new Option(flags, description), (text, name) => {
    const n = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || (max !== undefined && n > max))
      throw new UsageError(`bad ${name} ${text}: expected ${accepted}`);
    return n;
  });
  return range.default === undefined ? option : option.default(range.default);
}

/**
 * A duration option (60s, 5m, 1h: the schedules' grammar, at least 1s unless `minMs`, at most `maxMs`)
 * in milliseconds; `zero` also
 * accepts 0 / "always" as 0. A refused value throws UsageError with the fix (parseInterval).
 */
export function durationOption(
  flags: string,
  description: string,
  opts: { default: string; zero?: string; minMs?: number; maxMs?: number },
): Option {
  const parse = (text: string, name: string): number => {
    if (opts.zero && /^\s*(0|always)\s*$/i.test(text)) return 0;
    try {
      return parseInterval(text, opts);
    } catch (err) {
      throw new UsageError(`${name}: ${(err as Error).message}${opts.zero ? `; or 0 ${opts.zero}` : ""}`);
    }
  };
  return typed(new Option(flags, description), parse).default(parse(opts.default, flags), opts.default);
}

/** An option that takes one of a few words. */
export function enumOption(flags: string, description: string, choices: readonly string[]): Option {
  return typed(new Option(flags, description), (text, name) => {
    if (!choices.includes(text))
      throw new UsageError(`bad ${name} ${text}: expected one of ${choices.join(", ")}`);
    return text;
  });
}

/** An ISO 8601 instant, as a Date. */
export function dateOption(flags: string, description: string): Option {
  return typed(new Option(flags, description), (text, name) => {
    const d = /^\d{4}-\d\d-\d\d/.test(text) ? new Date(text) : new Date(Number.NaN);
    if (Number.isNaN(d.getTime()))
      throw new UsageError(`bad ${name} ${text}: expected an ISO 8601 time such as 2026-01-05T00:00:00Z`);
    return d;
  });
}

// Branch, tag and commit names and suffixes like ~1 and ^ (git check-ref-format's rules, narrowed):
// never a leading "-" (git would read an option), ".." (a range) or "@{" (a reflog).
const REF = /^(?!-)(?!.*\.\.)(?!.*@\{)[\p{L}\p{N}_./~^@+#,=-]+$/u;

/** A git revision (branch, tag, commit, HEAD~1); never one that git could take as an option. */
export function refOption(flags: string, description: string, fallback: string): Option {
  return typed(new Option(flags, description), (text, name) => {
    if (!REF.test(text))
      throw new UsageError(
        `bad ${name} ${text}: expected a branch, tag or commit (no spaces, no leading "-", no "..")`,
      );
    return text;
  }).default(fallback);
}

/**
 * --retention <duration|off>: how long delivered records stay in the hot collection before the
 * worker archives them (runtime/retention.ts); ms, 0 = at the next step, Infinity = off (never;
 * commander turns a parser's null into "").
 */
export function retentionOption(): Option {
  const parse = (text: string, name: string): number => {
    if (/^\s*off\s*$/i.test(text)) return Number.POSITIVE_INFINITY;
    if (/^\s*0\s*$/.test(text)) return 0;
    try {
      return parseInterval(text);
    } catch (err) {
      throw new UsageError(`${name}: ${(err as Error).message}; or 0 (at once) or off (never)`);
    }
  };
  return typed(
    new Option(
      "--retention <duration>",
      "delivered records leave the hot collection for the archive after this (0: at once; off: never)",
    ),
    parse,
  ).default(parse("1d", "--retention"), "1d");
}
