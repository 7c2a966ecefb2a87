// Which files make up the schedules: from a map (a git commit's tree) or from disk, where links
// leading outside the repository are refused.
import type { Dirent } from "node:fs";
import { lstat, open, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, posix, relative, sep } from "node:path";
import type { ConfigError } from "./errors.js";

export interface SourceFile {
  /** Path relative to the repo root, with forward slashes. */
  file: string;
  content: string | Buffer;
}

export interface FileSet {
  files: SourceFile[];
  errors: ConfigError[];
}

const YAML_FILE = /\.ya?ml$/i;

function fileError(file: string, message: string): ConfigError {
  return { file, line: 1, column: 1, message };
}

function normalizeDir(dir: string): string {
  const d = posix.normalize(dir.split(sep).join("/")).replace(/\/+$/, "");
  return d === "." ? "" : d;
}

/** The YAML files under `dir` from an in-memory tree, sorted by path. */
export function filesFromMap(files: Map<string, string | Buffer>, dir: string): FileSet {
  const prefix = normalizeDir(dir);
  const out: SourceFile[] = [];
  for (const [path, content] of files) {
    const file = posix.normalize(path.split(sep).join("/"));
    if (!YAML_FILE.test(file)) continue;
    if (prefix && file !== prefix && !file.startsWith(`${prefix}/`)) continue;
    out.push({ file, content });
  }
  out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files: out, errors: [] };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

// Files read at once: the reads overlap, so a walk of 10,000 files is not 10,000 sequential round
// trips through the thread pool (each a wait for the scheduler on a busy machine).
const READ_CONCURRENCY = 16;

/** The YAML files under rootDir/dir on disk (any depth; dot-directories skipped), sorted by path. */
export async function filesFromDisk(rootDir: string, dir: string, maxFileBytes: number): Promise<FileSet> {
  const root = await realpath(rootDir);
  const start = join(rootDir, dir);
  const show = (abs: string) => relative(rootDir, abs).split(sep).join("/") || ".";
  const set: FileSet = { files: [], errors: [] };
  const visited = new Set<string>();
  const toRead: { abs: string; real: string }[] = [];

  /** Reads one file unless it is over the size limit (checked on the open handle, not read). */
  async function read({ abs, real }: { abs: string; real: string }): Promise<void> {
    const handle = await open(real, "r");
    try {
      if ((await handle.stat()).size > maxFileBytes)
        set.errors.push(
          fileError(
            show(abs),
            `file is larger than the ${maxFileBytes}-byte limit; split it into smaller files`,
          ),
        );
      else set.files.push({ file: show(abs), content: await handle.readFile() });
    } finally {
      await handle.close();
    }
  }

  /** `real`: the entry's real path when known (a plain entry of a real directory). */
  async function visit(
    abs: string,
    explicit: boolean,
    isLink?: boolean,
    realPath?: string,
    isFile = false,
  ): Promise<void> {
    let real = realPath ?? abs;
    // Dirents tell whether an entry is a link; only links (and the start path) need lstat/realpath.
    if (isLink ?? (await lstat(abs)).isSymbolicLink()) {
      real = await realpath(abs).catch(() => "");
      if (!real) return void set.errors.push(fileError(show(abs), "symlink is broken; it points nowhere"));
      if (!inside(root, real))
        return void set.errors.push(fileError(show(abs), "symlink points outside the repository; refused"));
    }
    // A plain file of a real directory needs no stat: its size is checked when it is read.
    if (isFile) return void toRead.push({ abs, real });
    const info = await stat(real);
    if (info.isDirectory()) {
      if (realPath === undefined) real = await realpath(real);
      if (visited.has(real)) return;
      visited.add(real);
      const entries: Dirent[] = await readdir(abs, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (e.name.startsWith(".") && !e.isFile()) continue;
        if (e.isFile() && !YAML_FILE.test(e.name)) continue;
        const link = e.isSymbolicLink();
        await visit(join(abs, e.name), false, link, link ? undefined : join(real, e.name), e.isFile());
      }
    } else if (info.isFile() && (explicit || YAML_FILE.test(abs))) toRead.push({ abs, real });
  }

  try {
    await visit(start, true);
    let next = 0;
    const reader = async () => {
      for (let item = toRead[next++]; item; item = toRead[next++]) await read(item);
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, toRead.length) }, reader));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw err;
  }
  set.files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return set;
}
