// A worker process whose connectors draw on the store's API budgets:
// `tsx budget-worker-child.ts <dbUri> <options-json>`. SIGTERM stops it gracefully.
import { MongoClient } from "mongodb";
import { budgetsIn, createConnectorFactory } from "../../src/connectors/index.js";
import { runWorkerChild } from "./worker-main.js";

const [dbUri, json] = process.argv.slice(2);
if (!dbUri) throw new Error("usage: budget-worker-child <dbUri> [options-json]");
const client = await MongoClient.connect(dbUri);
const connectors = createConnectorFactory({ budgets: budgetsIn(client.db()) });
await runWorkerChild(dbUri, connectors, json, `budget-${process.pid}`);
