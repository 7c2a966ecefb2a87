// A worker process with the real http connector, for the worker-crash scenario:
// `tsx http-worker-child.ts <dbUri> <options-json>`. Prints "ready" once started; SIGKILL is the point.
import { createConnectorFactory } from "../../../src/connectors/index.js";
import { runWorkerChild } from "../../helpers/worker-main.js";

const [dbUri, json] = process.argv.slice(2);
if (!dbUri) throw new Error("usage: http-worker-child <dbUri> [options-json]");

await runWorkerChild(dbUri, createConnectorFactory(), json, `chaos-${process.pid}`);
