// The MongoDB driver patch (patches/mongodb+7.9.0.patch, applied by `npm ci`): when the store closes
// every connection at once (a crash, the embedded store's restart), a socket can already be
// destroyed while the driver has not yet seen its 'close' event. A command written to it then waited
// forever for 'drain'. When that command was the monitor's check, the server stayed Unknown and the
// pool stayed paused for good: every later operation failed (docs/reliability.md, "Store outage").
// Reaching the monitor's and the pool's socket takes the driver's internals: it is the only way to
// put a command into that window every time.
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDb, testDb } from "../helpers/db.js";
import { waitFor } from "../helpers/wait-for.js";

interface Internals {
  topology: { s: { servers: Map<string, Server> } };
}
interface Server {
  requestCheck(): void;
  monitor: {
    s: { state: string };
    connection: { socket: { destroy(): void } } | null;
    monitorId?: { toJSON(): { timeSinceLastCall: number } };
  };
  pool: { connections: { toArray?: () => Conn[] } & Iterable<Conn> };
}
interface Conn {
  socket: { destroy(): void };
}

function serverOf(client: MongoClient): Server {
  const [server] = (client as unknown as Internals).topology.s.servers.values();
  if (!server) throw new Error("the client knows no server");
  return server;
}

describe("a command written to a socket the store has just closed", { timeout: 300_000 }, () => {
  let t: TestDb;
  let client: MongoClient;
  beforeAll(async () => {
    t = await testDb("closed_socket");
    client = await MongoClient.connect(t.uri, { serverSelectionTimeoutMS: 10_000 });
    await client.db(t.dbName).collection("c").insertOne({ a: 1 });
  });
  afterAll(async () => {
    await client?.close(true).catch(() => {});
    await t?.close();
  });

  it("fails the monitor's check, which then recovers the server", async () => {
    const server = serverOf(client);
    // Idle, and past minHeartbeatFrequencyMS (500 ms): a requested check starts at once, not later.
    await waitFor("the monitor idle on its connection", () => {
      const m = server.monitor;
      return (
        m.s.state === "idle" && m.connection !== null && (m.monitorId?.toJSON().timeSinceLastCall ?? 0) > 600
      );
    });
    let ended = 0;
    const count = () => {
      ended += 1;
    };
    client.on("serverHeartbeatFailed", count).on("serverHeartbeatSucceeded", count);
    // Destroyed, 'close' not yet emitted: the check starts in that window.
    server.monitor.connection?.socket.destroy();
    server.requestCheck();
    // The driver's own timeouts are 30 s: a check still open after the wait's 120 s hangs.
    await waitFor("the monitor's check to end", () => ended > 0);
    await waitFor("the server back: a read answers", async () => {
      return (
        (await client
          .db(t.dbName)
          .collection("c")
          .findOne({})
          .catch(() => null)) !== null
      );
    });
    client.off("serverHeartbeatFailed", count).off("serverHeartbeatSucceeded", count);
  });

  it("fails a pooled command, which is retried on a new connection", async () => {
    const server = serverOf(client);
    await waitFor("an idle pooled connection", () => [...server.pool.connections].length > 0);
    for (const conn of server.pool.connections) conn.socket.destroy();
    let settled = false;
    const read = client
      .db(t.dbName)
      .collection("c")
      .findOne({})
      .finally(() => {
        settled = true;
      });
    await waitFor("the read to settle", () => settled);
    expect(await read).toMatchObject({ a: 1 });
  });
});
