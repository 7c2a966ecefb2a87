// The root that error paths are relative to: the git top level of the schedules path, else cwd.
import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";

function gitTopLevel(cwd: string): Promise<string | undefined> {
  return new Promise((done) => {
    execFile("git", ["rev-parse", "--show-toplevel"], { cwd }, (err, stdout) =>
      done(err ? undefined : stdout.trim() || undefined),
    );
  });
}

/** rootDir and dir (relative to it) for loadSchedules, from a user-given path. */
export async function locateSchedules(
  path: string,
  cwd = process.cwd(),
): Promise<{ rootDir: string; dir: string }> {
  const abs = resolve(cwd, path);
  const info = await stat(abs).catch(() => undefined);
  const probe = info?.isDirectory() ? abs : dirname(abs);
  const top = (await stat(probe).catch(() => undefined)) ? await gitTopLevel(probe) : undefined;
  let rootDir = top ?? cwd;
  let dir = relative(rootDir, abs);
  if (dir.startsWith("..") || isAbsolute(dir)) {
    rootDir = probe;
    dir = relative(rootDir, abs);
  }
  return { rootDir, dir: dir === "" ? "." : dir.split("\\").join("/") };
}
