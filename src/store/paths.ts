import { resolve } from "node:path";

export const FERRETDB_VERSION = "v1.24.2";
export const FERRETDB_MODULE = "github.com/FerretDB/FerretDB";

/** Where the embedded store keeps its data: SCHEDSYNC_DATA_DIR, default ./.schedsync. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.SCHEDSYNC_DATA_DIR || ".schedsync");
}
