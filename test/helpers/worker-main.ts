// The shared body of worker child processes: start a worker on the given connectors, print "ready",
// stop gracefully on SIGTERM (SIGKILL is what the crash tests send).
import { MongoClient } from "mongodb";
import pino from "pino";
import type { ConnectorFactory } from "../../src/connectors/factory.js";
import { createWorker } from "../../src/runtime/worker.js";

export async function runWorkerChild(
  dbUri: string,
  connectors: ConnectorFactory,
  json: string | undefined,
  owner: string,
): Promise<void> {
  const client = await MongoClient.connect(dbUri);
  // SCHEDSYNC_CHILD_LOG=<path> writes this worker's log to <path>.<pid> (for debugging a test).
  const dest = process.env.SCHEDSYNC_CHILD_LOG ? `${process.env.SCHEDSYNC_CHILD_LOG}.${process.pid}` : 2;
  const log = pino(
    { level: process.env.SCHEDSYNC_LOG_LEVEL ?? "warn" },
    pino.destination({ dest, sync: true }),
  );
  const worker = createWorker(client.db(), { connectors, log, owner, ...JSON.parse(json ?? "{}") });
  await worker.start();
  process.stdout.write("ready\n");
  process.once("SIGTERM", async () => {
    await worker.stop(10_000);
    await client.close();
    process.exit(0);
  });
}
