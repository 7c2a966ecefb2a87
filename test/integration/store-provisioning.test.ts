// openStore's choices: MONGODB_URI when set (password never shown), else the embedded FerretDB,
// and one clear message when neither is possible.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, StoreUnavailableError } from "../../src/store/index.js";
import { storeUri, withDbName } from "../helpers/db.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function emptyDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "schedsync-provision-"));
  dirs.push(d);
  return d;
}

describe("openStore", () => {
  it("uses MONGODB_URI when set, with the database named in its path", async () => {
    const name = `prov_${process.pid}`;
    const store = await openStore({ env: { MONGODB_URI: withDbName(storeUri(), name) } });
    try {
      expect(store.embedded).toBe(false);
      expect(store.db.databaseName).toBe(name);
      await store.db.collection("c").insertOne({ _id: "x" as never, v: 1 });
      expect(await store.db.collection("c").findOne({ _id: "x" as never })).toEqual({ _id: "x", v: 1 });
    } finally {
      await store.db.dropDatabase().catch(() => {});
      await store.close();
    }
  });

  it("never shows the URI's password, even when the connection fails", async () => {
    const uri = "mongodb://alice:Sup3r-Secret@127.0.0.1:1/schedsync";
    const err = await openStore({ env: { MONGODB_URI: uri }, serverSelectionTimeoutMS: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain("mongodb://alice:***@127.0.0.1:1/schedsync");
    expect(err.message).not.toContain("Sup3r-Secret");
  });

  it("names both fixes when there is no MONGODB_URI, no ferretdb and no Go", async () => {
    const env = {
      PATH: await emptyDir(), // no go, no ferretdb
      SCHEDSYNC_CACHE_DIR: await emptyDir(),
      SCHEDSYNC_DATA_DIR: await emptyDir(),
      HOME: await emptyDir(),
    };
    const err = await openStore({ env }).catch((e) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err.message).toContain("Go is not installed");
    expect(err.message).toMatch(/set MONGODB_URI/);
    expect(err.message).toMatch(/install Go/);
  });
});
