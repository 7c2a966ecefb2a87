// The source stage: resolve --repo/--ref to one exact commit and read the schedules from that
// commit's tree only (never the work tree, so uncommitted edits are never applied).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, stat } from "node:fs/promises";
import { join, posix, resolve } from "node:path";
import { GitPluginError, type SimpleGit, simpleGit } from "simple-git";
import { DEFAULT_LIMITS } from "../config/limits.js";
import { cacheDir } from "../platform/paths.js";

export interface SourceOptions {
  /** A local path or a git URL; default: the current directory's repo. */
  repo?: string;
  /** A branch, tag or commit; default HEAD. */
  ref?: string;
  /** The schedules directory inside the repo; default "schedules". */
  dir?: string;
  /** Largest file read into memory; larger ones are passed truncated so the loader rejects them. */
  maxFileBytes?: number;
  env?: NodeJS.ProcessEnv;
  /** Progress lines for slow steps (cloning, fetching). */
  log?: (line: string) => void;
}

export interface Revision {
  /** 40-hex commit SHA. */
  sha: string;
  author: string;
  message: string;
  committedAt: string;
  /** The repository the commit was read from (local path). */
  gitDir: string;
  dir: string;
  /** Path (relative to the repo root) → content, for every *.yaml / *.yml under dir. */
  files: Map<string, Buffer>;
  /** Entries under dir that could not be used (symlinks, submodules), with why. */
  rejected: { path: string; reason: string }[];
  /** Identifies what was read (dir, every file's path, mode and blob id): equal ids, equal schedules. */
  contentId: string;
}

export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceError";
  }
}

const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|[^/\s]+@[^:\s]+:)/i;

function isUrl(repo: string): boolean {
  return URL_LIKE.test(repo);
}

/**
 * Default bound on a clone or fetch that says nothing (ms; SCHEDSYNC_GIT_STALL_MS): a repository
 * host that accepts the connection and never answers would otherwise hold the reconcile, and the
 * stop that waits for it, forever.
 */
export const GIT_STALL_MS = 120_000;

/**
 * simple-git for network commands: killed after `stallMs` with no output (its timeout plugin; the
 * progress lines that --progress asks for count as output), and git itself gives up on an http
 * transfer slower than 1 KiB/s for that long: its remote helper, which that kill does not reach,
 * and a git left behind by a forced exit end too, even against a host that trickles bytes.
 */
function networkGit(env: NodeJS.ProcessEnv, dir?: string): SimpleGit {
  const stallMs = stallMsOf(env);
  return simpleGit({
    ...(dir ? { baseDir: dir } : {}),
    timeout: { block: stallMs },
    config: ["http.lowSpeedLimit=1024", `http.lowSpeedTime=${Math.max(1, Math.ceil(stallMs / 1000))}`],
  });
}

function stallMsOf(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.SCHEDSYNC_GIT_STALL_MS);
  return ms > 0 ? ms : GIT_STALL_MS;
}

/** A URL is mirrored once into the cache and fetched on each use. */
async function mirror(url: string, env: NodeJS.ProcessEnv, log?: (line: string) => void): Promise<string> {
  const dir = join(cacheDir(env), "repos", createHash("sha256").update(url).digest("hex").slice(0, 24));
  const exists = await stat(join(dir, "HEAD")).then(
    () => true,
    () => false,
  );
  try {
    log?.(`${exists ? "fetching" : "cloning"} ${redactUrl(url)} …`);
    if (exists) {
      await networkGit(env, dir).fetch([
        "--progress",
        "--prune",
        "--tags",
        "--force",
        "origin",
        "+refs/heads/*:refs/heads/*",
      ]);
    } else {
      await mkdir(dir, { recursive: true });
      await networkGit(env).clone(url, dir, ["--mirror", "--progress"]);
    }
  } catch (err) {
    const why =
      err instanceof GitPluginError && err.plugin === "timeout"
        ? `no progress for ${stallMsOf(env) / 1000} s (SCHEDSYNC_GIT_STALL_MS)`
        : firstLine(err);
    throw new SourceError(`cannot fetch ${redactUrl(url)}: ${why}`);
  }
  return dir;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^/@:]+):[^/@]*@/, "//$1:***@");
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).trim().split("\n")[0] ?? "";
}

async function openRepo(opts: SourceOptions): Promise<{ git: SimpleGit; gitDir: string }> {
  const env = opts.env ?? process.env;
  const repo = opts.repo ?? ".";
  if (isUrl(repo)) {
    const dir = await mirror(repo, env, opts.log);
    return { git: simpleGit(dir), gitDir: dir };
  }
  const path = resolve(repo);
  try {
    await stat(path);
    const git = simpleGit(path);
    const top = (await git.revparse(["--absolute-git-dir"])).trim();
    return { git, gitDir: top };
  } catch (err) {
    throw new SourceError(`${path} is not a readable git repository: ${firstLine(err)}`);
  }
}

/** Reads many blobs in one `git cat-file --batch` process. */
function readBlobs(gitDir: string, oids: string[]): Promise<Buffer[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", ["--git-dir", gitDir, "cat-file", "--batch"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new SourceError(`git cat-file failed: ${stderr.trim()}`));
      const all = Buffer.concat(chunks);
      const out: Buffer[] = [];
      let pos = 0;
      for (let i = 0; i < oids.length; i++) {
        const nl = all.indexOf(10, pos);
        const header = all.subarray(pos, nl).toString();
        const size = Number.parseInt(header.split(" ")[2] ?? "", 10);
        if (!Number.isInteger(size))
          return reject(new SourceError(`git cat-file: unexpected header "${header}"`));
        out.push(all.subarray(nl + 1, nl + 1 + size));
        pos = nl + 1 + size + 1;
      }
      resolvePromise(out);
    });
    child.stdin.end(`${oids.join("\n")}\n`);
  });
}

export async function readRevision(opts: SourceOptions = {}): Promise<Revision> {
  const dir = posix.normalize(opts.dir ?? "schedules").replace(/\/+$/, "");
  if (dir.startsWith("..") || posix.isAbsolute(dir))
    throw new SourceError(`--dir must be inside the repo: ${dir}`);
  const maxBytes = opts.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const { git, gitDir } = await openRepo(opts);
  const ref = opts.ref ?? "HEAD";
  let sha: string;
  try {
    sha = (await git.raw(["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`])).trim();
  } catch {
    throw new SourceError(`cannot resolve ref "${ref}" to a commit in ${opts.repo ?? "the current repo"}`);
  }
  const [meta = ""] = (await git.raw(["show", "-s", "--format=%an <%ae>%x00%cI%x00%B", sha])).split("\n\0");
  const [author = "", committedAt = "", ...msg] = meta.split("\0");
  const listing = await git.raw(["ls-tree", "-r", "-z", "--long", "--full-tree", sha, "--", dir]);
  const entries: { mode: string; oid: string; size: number; path: string }[] = [];
  const rejected: Revision["rejected"] = [];
  for (const line of listing.split("\0")) {
    if (!line) continue;
    const tab = line.indexOf("\t");
    const [mode = "", , oid = "", size = ""] = line.slice(0, tab).split(/\s+/);
    const path = line.slice(tab + 1);
    if (!/\.ya?ml$/i.test(path)) continue;
    if (mode === "120000")
      rejected.push({ path, reason: "is a symlink; schedules are read from regular files only" });
    else if (mode === "160000") rejected.push({ path, reason: "is a submodule" });
    else entries.push({ mode, oid, size: Number.parseInt(size, 10), path });
  }
  // Oversized files are not read; the loader sees maxBytes+1 bytes and reports the size limit.
  const small = entries.filter((e) => e.size <= maxBytes);
  const blobs = small.length
    ? await readBlobs(
        gitDir,
        small.map((e) => e.oid),
      )
    : [];
  const files = new Map<string, Buffer>();
  for (const [i, e] of small.entries()) files.set(e.path, blobs[i] ?? Buffer.alloc(0));
  for (const e of entries) if (e.size > maxBytes) files.set(e.path, Buffer.alloc(maxBytes + 1, 0x20));
  const id = createHash("sha256").update(`${dir}\0`);
  for (const e of entries) id.update(`${e.mode} ${e.oid} ${e.path}\0`);
  for (const r of rejected) id.update(`rejected ${r.path}\0`);
  return {
    sha,
    author,
    message: msg.join("\0").trim(),
    committedAt,
    gitDir,
    dir,
    files,
    rejected,
    contentId: id.digest("hex"),
  };
}

/** True when `older` is an ancestor of `newer`; undefined when git cannot tell (unknown commit). */
export function isAncestor(gitDir: string, older: string, newer: string): Promise<boolean | undefined> {
  return new Promise((done) => {
    const child = spawn("git", ["--git-dir", gitDir, "merge-base", "--is-ancestor", older, newer], {
      stdio: "ignore",
    });
    child.on("error", () => done(undefined));
    child.on("close", (code) => done(code === 0 ? true : code === 1 ? false : undefined));
  });
}
