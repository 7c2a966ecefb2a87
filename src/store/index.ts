// One way in to the database: MONGODB_URI when set, else the embedded FerretDB.
import { type Db, MongoClient } from "mongodb";
import { startEmbedded } from "./embedded.js";
import { redactUri, scrubSecrets, uriPassword } from "./redact.js";

export { StoreUnavailableError } from "./ferretdb-binary.js";
export { redactUri, scrubSecrets } from "./redact.js";

export interface Store {
  client: MongoClient;
  db: Db;
  /** The URI with its password hidden, for messages. */
  displayUri: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides the database named in the URI (default: from the URI path, else SCHEDSYNC_DB, else "schedsync"). */
  dbName?: string;
  dataDir?: string;
  log?: (line: string) => void;
  serverSelectionTimeoutMS?: number;
}

function dbNameFromUri(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/i.exec(uri);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  const env = opts.env ?? process.env;
  const external = env.MONGODB_URI?.trim();
  const embedded = external ? undefined : await startEmbedded({ dataDir: opts.dataDir, env, log: opts.log });
  const uri = external || (embedded?.uri as string);
  const name = opts.dbName ?? dbNameFromUri(uri) ?? env.SCHEDSYNC_DB ?? "schedsync";
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 10_000,
    appName: "schedsync",
  });
  try {
    await client.connect();
  } catch (err) {
    await embedded?.release();
    const msg = scrubSecrets(err instanceof Error ? err.message : String(err), [uriPassword(uri)]);
    throw new Error(`cannot connect to ${redactUri(uri)}: ${msg}`);
  }
  return {
    client,
    db: client.db(name),
    displayUri: redactUri(uri),
    embedded: !!embedded,
    close: async () => {
      await client.close().catch(() => {});
      await embedded?.release();
    },
  };
}
