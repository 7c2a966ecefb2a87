// The records module: what the hub holds and where each record stands per destination.
export { ARCHIVE_CHUNK, archiveDelivered, archivedIds } from "./archive.js";
export { BUDGETS, type BudgetChange, type BudgetStore, storeBudgets } from "./budgets.js";
export {
  type ClaimedBatch,
  type ClaimOptions,
  claimBatch,
  LOOKAHEAD,
  type Lookahead,
  LostBatchError,
  releaseBatch,
  renewBatch,
  takeOverExpired,
} from "./claim.js";
export { ARCHIVE, CURSORS, cols, ensureRecordIndexes } from "./collections.js";
export { expiredBatchScopes } from "./expired.js";
export { deliveryId, inventoryId, isDeliveryId, orderId, shipmentId } from "./ids.js";
export { type IncomingLevel, storeLevels } from "./inventory.js";
export {
  countDeliveries,
  countStates,
  type ListQuery,
  listDeliveries,
  type StateCounts,
  skipExpired,
} from "./list.js";
export { storeOrders } from "./orders.js";
export type * from "./protocol.js";
export {
  inventoryOut,
  levelsPage,
  orderOut,
  ordersPage,
  type Page,
  shipmentOut,
  shipmentsPage,
  toBatchResult,
} from "./protocol-map.js";
export { enqueue, requeueChanged } from "./queue.js";
export { type ResendResult, resend } from "./resend.js";
export {
  applyResult,
  completeBatch,
  deleteFinished,
  failAll,
  NOT_ACKNOWLEDGED,
  type Outcome,
} from "./results.js";
export { type IncomingShipment, type StoredShipments, storeShipments } from "./shipments.js";
export * from "./types.js";
