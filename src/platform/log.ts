// Structured JSON logs (pino); human-readable when stdout is a terminal. Secrets never reach a log
// line: the known secret fields are redacted and URIs pass through redactUri.
import pino, { type Logger } from "pino";

export type { Logger } from "pino";

const REDACT = [
  "secret",
  "token",
  "password",
  "authorization",
  "*.secret",
  "*.token",
  "*.password",
  "*.authorization",
  "req.headers.authorization",
  'req.headers["x-hub-signature-256"]',
];

/**
 * pino-pretty's options for a terminal. NO_COLOR (https://no-color.org): any non-empty value turns
 * colour off; pino-pretty would otherwise colour whenever it sees a terminal.
 */
export function prettyOptions(env: NodeJS.ProcessEnv = process.env) {
  return { colorize: !env.NO_COLOR, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,service" };
}

export function createLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && !process.env.CI);
  return pino({
    level: opts.level ?? process.env.SCHEDSYNC_LOG_LEVEL ?? "info",
    base: { service: "schedsync" },
    redact: { paths: REDACT, censor: "***" },
    transport: pretty
      ? {
          target: "pino-pretty",
          options: prettyOptions(),
        }
      : undefined,
  });
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
