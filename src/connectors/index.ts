// The connectors stage: the port, its adapters (http, sandbox), and the factory that picks one from
// a `connection` block.

export {
  type BudgetHooks,
  type Budgets,
  BudgetWaitError,
  budgetsIn,
  DEFAULT_MAX_WAIT_MS,
  memoryBudgets,
} from "./budget.js";
export { type Connection, parseConnection } from "./config.js";
export {
  type ConnectorContext,
  type ConnectorFactory,
  createCartConnector,
  createConnectorFactory,
  createWmsConnector,
  SANDBOX_BACKLOG_MINUTES,
} from "./factory.js";
export { HttpCart, HttpWms } from "./http.js";
export * from "./port.js";
export { SandboxCart, SandboxWms } from "./sandbox.js";
export { type SandboxJournal, storeJournal } from "./sandbox-journal.js";
