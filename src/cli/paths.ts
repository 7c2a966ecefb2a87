// The one place the CLI resolves where things are: the repo root (the git top level of the current
// directory), the default schedules directory in it, and the embedded store's data dir. Defaults
// follow the repo root, never the current directory, so every command agrees from any subdirectory.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { findRepoRoot, locateSchedules } from "../config/repo-root.js";
import { CliError } from "./errors.js";

/** The schedules directory inside a repo, when a command is given none. */
export const DEFAULT_SCHEDULES = "schedules";
/** The embedded store's data dir inside the repo root (SCHEDSYNC_DATA_DIR overrides it). */
export const DATA_DIR_NAME = ".schedsync";

/** The git top level of the current directory (see findRepoRoot), undefined outside a repo. */
export function repoRoot(cwd = process.cwd()): string | undefined {
  return findRepoRoot(cwd);
}

/** SCHEDSYNC_DATA_DIR, else `.schedsync` at the repo root (the current directory outside a repo). */
export function storeDataDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.SCHEDSYNC_DATA_DIR) return resolve(cwd, env.SCHEDSYNC_DATA_DIR);
  return join(repoRoot(cwd) ?? resolve(cwd), DATA_DIR_NAME);
}

/**
 * rootDir and dir for loadSchedules. A given path is relative to the current directory; without
 * one, the repo root's schedules/. A path that does not exist is a CliError naming it.
 */
export async function schedulesLocation(
  path: string | undefined,
  cwd = process.cwd(),
): Promise<{ rootDir: string; dir: string }> {
  const target = path ?? join(repoRoot(cwd) ?? cwd, DEFAULT_SCHEDULES);
  const abs = resolve(cwd, target);
  if (!existsSync(abs)) {
    const kind = /\.ya?ml$/i.test(abs) ? "file" : "directory";
    throw new CliError(`no such ${kind}: ${path ?? abs}`);
  }
  if (!statSync(abs).isDirectory() && !/\.ya?ml$/i.test(abs))
    throw new CliError(`not a directory or a .yaml file: ${path ?? abs}`);
  return locateSchedules(abs, cwd);
}
