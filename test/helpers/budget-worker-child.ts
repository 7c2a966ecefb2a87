// A worker process whose connectors draw on the store's API budgets:
// `tsx budget-worker-child.ts <dbUri> <options-json>`. SIGTERM stops it gracefully. Each token it
// takes is printed as a line `taken <startsAt epoch ms>` (stdout to a pipe is synchronous on Linux,
// so none is lost at exit).
import { MongoClient } from "mongodb";
import { budgetsIn, createConnectorFactory } from "../../src/connectors/index.js";
import { runWorkerChild } from "./worker-main.js";

const [dbUri, json] = process.argv.slice(2);
if (!dbUri) throw new Error("usage: budget-worker-child <dbUri> [options-json]");
const client = await MongoClient.connect(dbUri);
const hooks = {
  budgetTaken: (_budget: string, startsAt: number) => process.stdout.write(`taken ${startsAt}\n`),
};
const connectors = createConnectorFactory({ budgets: budgetsIn(client.db(), hooks) });
await runWorkerChild(dbUri, connectors, json, `budget-${process.pid}`);
