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
  const options = {
    level: opts.level ?? process.env.SCHEDSYNC_LOG_LEVEL ?? "info",
    base: { service: "schedsync" },
    redact: { paths: REDACT, censor: "***" },
  };
  if (pretty) return pino({ ...options, transport: { target: "pino-pretty", options: prettyOptions() } });
  // Synchronous writes: pino's default stdout stream is asynchronous, and the exit flush wrote the
  // last buffered line ("stopped") ahead of one still in flight ("stopping: workers").
  return pino(options, pino.destination({ dest: 1, sync: true }));
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
