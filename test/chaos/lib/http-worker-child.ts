// A worker process with the real http connector, for the worker-crash scenario:
// `tsx http-worker-child.ts <dbUri> <options-json>`. Prints "ready" once started; SIGKILL is the point.
import { MongoClient } from "mongodb";
import pino from "pino";
import { createPortFactory } from "../../../src/connectors/index.js";
import { createWorker } from "../../../src/runtime/worker.js";

const [dbUri, json] = process.argv.slice(2);
if (!dbUri) throw new Error("usage: http-worker-child <dbUri> [options-json]");

const client = await MongoClient.connect(dbUri);
const log = pino(
  { level: process.env.SCHEDSYNC_LOG_LEVEL ?? "warn" },
  pino.destination({ dest: 2, sync: true }),
);
const worker = createWorker(client.db(), {
  ports: createPortFactory(),
  log,
  owner: `chaos-${process.pid}`,
  ...JSON.parse(json ?? "{}"),
});
await worker.start();
process.stdout.write("ready\n");
process.once("SIGTERM", async () => {
  await worker.stop(10_000);
  await client.close();
  process.exit(0);
});
