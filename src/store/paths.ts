import { homedir } from "node:os";
import { join, resolve } from "node:path";

export const FERRETDB_VERSION = "v1.24.2";
export const FERRETDB_MODULE = "github.com/FerretDB/FerretDB";

/** Where built tools are cached across runs and checkouts (CI keeps it under $HOME). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCHEDSYNC_CACHE_DIR) return resolve(env.SCHEDSYNC_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), ".cache");
  return join(base, "schedsync");
}

/** Where the embedded store keeps its data: SCHEDSYNC_DATA_DIR, default ./.schedsync. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.SCHEDSYNC_DATA_DIR || ".schedsync");
}
