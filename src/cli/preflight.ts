// Start-up checks of serve and start, run before the store opens, anything is applied or a worker
// starts: a command that cannot serve fails at once with one line, and leaves nothing behind.
import { createServer } from "node:net";
import { resolve } from "node:path";
import { isLoopback } from "../server/auth.js";
import { CliError } from "./errors.js";
import { repoRoot } from "./paths.js";

/** A non-loopback address without SCHEDSYNC_UI_PASSWORD would open the status page and Agendash. */
export function checkExposure(host: string, env: NodeJS.ProcessEnv = process.env): void {
  if (!isLoopback(host) && !env.SCHEDSYNC_UI_PASSWORD)
    throw new CliError(
      `refusing to listen on ${host} without SCHEDSYNC_UI_PASSWORD (the status page and Agendash would be open)`,
    );
}

/** The port can be bound on host (0: any free port, nothing to check). Binds and closes at once. */
export async function checkPort(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((done, fail) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => {
      const why =
        err.code === "EADDRINUSE"
          ? "is in use (another schedsync?)"
          : err.code === "EACCES"
            ? "needs privileges"
            : `cannot be bound (${err.code ?? err.message})`;
      fail(
        new CliError(
          `port ${port} on ${host} ${why}; choose another with --port, or --port 0 for a free one`,
        ),
      );
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => done()));
  });
}

/**
 * The schedules come from a local git repository (start always; serve without a URL --repo).
 * Returns its root.
 */
export function checkGitRepo(path: string | undefined, command: string): string {
  const dir = resolve(path ?? process.cwd());
  const root = repoRoot(dir);
  if (!root)
    throw new CliError(
      `${dir} is not in a git repository: \`schedsync ${command}\` applies the schedules committed there. ` +
        "Run it inside your schedules repo (e.g. after `npx schedsync init`), or pass --repo.",
    );
  return root;
}

/** Whether a --repo value is a URL (mirrored) rather than a local path. */
export function isRepoUrl(repo: string | undefined): boolean {
  return !!repo && (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\s]+@[^/\s]+:/.test(repo));
}
