import { homedir } from "node:os";
import { join, resolve } from "node:path";

/**
 * Where schedsync caches what it builds or fetches across runs and checkouts (the FerretDB binary,
 * git clones): SCHEDSYNC_CACHE_DIR, else $XDG_CACHE_HOME/schedsync, else ~/.cache/schedsync. CI
 * keeps it under $HOME.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCHEDSYNC_CACHE_DIR) return resolve(env.SCHEDSYNC_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), ".cache");
  return join(base, "schedsync");
}
