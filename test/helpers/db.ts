// A database of its own for each test file, on the run's shared store (see test/global-setup.ts).
import { randomBytes } from "node:crypto";
import { type Db, MongoClient } from "mongodb";
import { inject } from "vitest";

export interface TestDb {
  uri: string;
  /** The URI with the database name in its path, for child processes (MONGODB_URI). */
  dbUri: string;
  dbName: string;
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export function storeUri(): string {
  return inject("mongoUri");
}

/** Put a database name into a URI's path, keeping credentials and options. */
export function withDbName(uri: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/i.exec(uri);
  if (!m) throw new Error("unrecognised MongoDB URI");
  return `${m[1]}/${dbName}${m[3] ?? ""}`;
}

export async function testDb(prefix = "t"): Promise<TestDb> {
  const uri = storeUri();
  const dbName = `${prefix}_${randomBytes(5).toString("hex")}`;
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  const db = client.db(dbName);
  return {
    uri,
    dbUri: withDbName(uri, dbName),
    dbName,
    client,
    db,
    close: async () => {
      await db.dropDatabase().catch(() => {});
      await client.close();
    },
  };
}
