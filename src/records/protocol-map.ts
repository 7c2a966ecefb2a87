// Between stored records and the protocol's records (docs/connector-protocol.md): what a push
// sends for a claimed batch, the receiver's per-record answers as a BatchResult, and a pulled page
// as the records to store. Pure; the runs (src/runtime) call the connectors and these.
import { orderId } from "./ids.js";
import type { IncomingLevel } from "./inventory.js";
import type {
  InventoryLevel,
  InventoryOut,
  Order,
  OrderOut,
  PullPage,
  RecordResult,
  Shipment,
  ShipmentOut,
} from "./protocol.js";
import type { IncomingShipment } from "./shipments.js";
import type { BatchItem, BatchResult, RecordKind } from "./types.js";

/** A pulled page as records to store; `cursor` is stored only after they are. */
export interface Page<T> {
  items: T[];
  cursor: string;
  more: boolean;
}

/** A claimed record of another kind than the push sends: a routing bug, not a record's fault. */
function wrongKind(item: BatchItem, kind: RecordKind): Error {
  return new Error(`${item.recordId}: a ${item.record.kind} record in a ${kind} push`);
}

/** The stored order as the cart gave it, with the hub's id, external id and cart. Throws on another kind. */
export function orderOut(item: BatchItem): OrderOut {
  const r = item.record;
  if (r.kind !== "order") throw wrongKind(item, "order");
  return { id: item.recordId, ...r.payload, externalId: r.externalId, cartId: r.cartId };
}

/** The stored tracking for the cart that owns the order. Throws on another kind. */
export function shipmentOut(item: BatchItem): ShipmentOut {
  const r = item.record;
  if (r.kind !== "shipment") throw wrongKind(item, "shipment");
  const { orderExternalId, carrier, trackingNumber, shippedAt } = r.payload;
  return { id: item.recordId, orderExternalId, carrier, trackingNumber, shippedAt };
}

/** The newest stored level (the record keeps only the newest per sku). Throws on another kind. */
export function inventoryOut(item: BatchItem): InventoryOut {
  const r = item.record;
  if (r.kind !== "inventory") throw wrongKind(item, "inventory");
  const out: InventoryOut = {
    id: item.recordId,
    sku: r.sku,
    available: r.quantity,
    asOf: r.asOf.toISOString(),
  };
  if (r.warehouse !== undefined) out.warehouse = r.warehouse;
  return out;
}

/** Per-record answers as a BatchResult; the receiver's error and retryable flag travel as they came. */
export function toBatchResult(results: RecordResult[]): BatchResult {
  const out: BatchResult = { ok: [], failed: [] };
  for (const r of results) {
    if (r.ok) out.ok.push(r.id);
    else out.failed.push({ id: r.id, error: r.error, retryable: r.retryable });
  }
  return out;
}

/** A cart's page of orders; they are stored as the cart gave them. */
export function ordersPage(p: PullPage & { orders: Order[] }): Page<Order> {
  return { items: p.orders, cursor: p.cursor, more: p.more };
}

/**
 * A WMS's page of tracking for `merchantId`. The hub order is the id the WMS kept
 * (`orderId`), else the one its cart and external id name, else an id no order has
 * (`order:<merchant>:?:<externalId>`: stored, sent nowhere).
 */
export function shipmentsPage(
  merchantId: string,
  p: PullPage & { shipments: Shipment[] },
): Page<IncomingShipment> {
  return { items: p.shipments.map((s) => incomingShipment(merchantId, s)), cursor: p.cursor, more: p.more };
}

function incomingShipment(m: string, s: Shipment): IncomingShipment {
  const order =
    s.orderId ?? (s.cartId ? orderId(m, s.cartId, s.orderExternalId) : `order:${m}:?:${s.orderExternalId}`);
  return { externalId: s.id, orderId: order, payload: s };
}

/** A WMS's page of stock levels; `asOf` (ISO 8601) becomes a Date. */
export function levelsPage(p: PullPage & { levels: InventoryLevel[] }): Page<IncomingLevel> {
  return { items: p.levels.map(incomingLevel), cursor: p.cursor, more: p.more };
}

function incomingLevel(l: InventoryLevel): IncomingLevel {
  return {
    sku: l.sku,
    quantity: l.available,
    asOf: new Date(l.asOf),
    ...(l.warehouse === undefined ? {} : { warehouse: l.warehouse }),
  };
}
