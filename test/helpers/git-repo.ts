// Real git repositories in temp dirs, driven through simple-git.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type SimpleGit, simpleGit } from "simple-git";

export interface TempRepo {
  dir: string;
  git: SimpleGit;
  /** Writes files (path → content; null deletes), commits them, returns the commit SHA. */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  remove(): Promise<void>;
}

export async function tempRepo(): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), "schedsync-repo-"));
  const git = simpleGit(dir);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.name", "Test Author");
  await git.addConfig("user.email", "author@example.test");
  await git.addConfig("commit.gpgsign", "false");
  return {
    dir,
    git,
    async commit(files, message = "change schedules") {
      for (const [path, content] of Object.entries(files)) {
        const full = join(dir, path);
        if (content === null) {
          await rm(full, { force: true });
        } else {
          await mkdir(dirname(full), { recursive: true });
          await writeFile(full, content);
        }
      }
      await git.add(["-A"]);
      await git.commit(message, undefined, { "--allow-empty": null });
      return (await git.revparse(["HEAD"])).trim();
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
