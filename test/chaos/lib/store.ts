// A store for a chaos scenario: the URI it was given, else an embedded FerretDB in a temp dir of its own.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Db, MongoClient } from "mongodb";
import { type EmbeddedServer, startEmbedded } from "../../../src/store/embedded.js";
import { withDbName } from "../../helpers/db.js";

export interface ChaosDb {
  /** URI with the database in its path, for child processes (MONGODB_URI). */
  dbUri: string;
  db: Db;
  client: MongoClient;
  close(): Promise<void>;
}

export interface ChaosStore {
  uri: string;
  /** The embedded server's data dir (undefined for an external store). */
  dataDir?: string;
  newDb(prefix: string): Promise<ChaosDb>;
  close(): Promise<void>;
}

export async function startEmbeddedStore(): Promise<{ server: EmbeddedServer; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "schedsync-chaos-store-"));
  // A FerretDB that stops answering (see docs/reliability.md) is restarted after 15 s instead of 60 s.
  const env = {
    ...process.env,
    SCHEDSYNC_FERRETDB_STALL_MS: process.env.SCHEDSYNC_FERRETDB_STALL_MS ?? "15000",
  };
  const server = await startEmbedded({ dataDir: dir, lingerMs: 0, env });
  return { server, dir };
}

/** How many times the stall watchdog restarted the embedded FerretDB (from its log). */
export async function watchdogRestarts(dataDir: string | undefined): Promise<number> {
  if (!dataDir) return 0;
  const log = await readFile(join(dataDir, "ferretdb", "ferretdb.log"), "utf8").catch(() => "");
  return log.split("\n").filter((l) => l.includes("killing ferretdb pid")).length;
}

export async function chaosStore(uri?: string): Promise<ChaosStore> {
  const own = uri ? undefined : await startEmbeddedStore();
  const base = uri ?? (own?.server.uri as string);
  return {
    uri: base,
    dataDir: own?.dir,
    async newDb(prefix) {
      const name = `${prefix}_${randomBytes(4).toString("hex")}`;
      const client = await MongoClient.connect(base, { serverSelectionTimeoutMS: 20_000 });
      const db = client.db(name);
      return {
        dbUri: withDbName(base, name),
        db,
        client,
        close: async () => {
          await db.dropDatabase().catch(() => {});
          await client.close().catch(() => {});
        },
      };
    },
    async close() {
      if (!own) return;
      await own.server.release();
      await sleep(1_500);
      if (process.env.CHAOS_KEEP) console.error(`chaos: kept the store data dir ${own.dir}`);
      else await rm(own.dir, { recursive: true, force: true });
    },
  };
}
