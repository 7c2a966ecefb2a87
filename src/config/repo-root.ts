// The root that error paths are relative to: the git top level of the schedules path, else cwd.
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

/**
 * The git top level at or above `dir`: the nearest directory holding `.git` (a directory, or the
 * file of a worktree or submodule), as `git rev-parse --show-toplevel` finds it without GIT_DIR.
 * Undefined outside a repo. A file-system walk, so no git process is started.
 */
export function findRepoRoot(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** rootDir and dir (relative to it) for loadSchedules, from a user-given path. */
export async function locateSchedules(
  path: string,
  cwd = process.cwd(),
): Promise<{ rootDir: string; dir: string }> {
  const abs = resolve(cwd, path);
  const info = await stat(abs).catch(() => undefined);
  const probe = info?.isDirectory() ? abs : dirname(abs);
  let rootDir = findRepoRoot(probe) ?? cwd;
  let dir = relative(rootDir, abs);
  if (dir.startsWith("..") || isAbsolute(dir)) {
    rootDir = probe;
    dir = relative(rootDir, abs);
  }
  return { rootDir, dir: dir === "" ? "." : dir.split("\\").join("/") };
}
