// What `schedsync store status` reports: which store is used, where the FerretDB binary and the data
// are, and whether an embedded server is running for that data dir.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { cachedBinaryPath, findFerretdb } from "./ferretdb-binary.js";
import { pidAlive } from "./file-lock.js";
import { dataDir as defaultDataDir } from "./paths.js";
import { redactUri } from "./redact.js";
import { portOpen, type ServerState } from "./supervisor.js";

export interface StoreStatus {
  /** Set when MONGODB_URI selects an external server (password hidden). */
  externalUri?: string;
  /** The FerretDB binary that would be used, or undefined when none is found. */
  binary?: string;
  /** Where `store install` puts a built binary. */
  cachePath: string;
  dataDir: string;
  server?: { port: number; supervisorPid: number; ferretdbPid: number; startedAt: string };
}

export async function storeStatus(
  env: NodeJS.ProcessEnv = process.env,
  dataDir?: string,
): Promise<StoreStatus> {
  const dir = dataDir ?? defaultDataDir(env);
  const status: StoreStatus = {
    binary: await findFerretdb(env).catch(() => undefined),
    cachePath: cachedBinaryPath(env),
    dataDir: dir,
  };
  const uri = env.MONGODB_URI?.trim();
  if (uri) status.externalUri = redactUri(uri);
  const state = await readFile(join(dir, "ferretdb", "server.json"), "utf8")
    .then((text) => JSON.parse(text) as ServerState)
    .catch(() => undefined);
  if (state && pidAlive(state.supervisorPid) && (await portOpen(state.port))) {
    const { port, supervisorPid, ferretdbPid, startedAt } = state;
    status.server = { port, supervisorPid, ferretdbPid, startedAt };
  }
  return status;
}
