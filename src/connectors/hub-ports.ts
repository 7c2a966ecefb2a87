// The connector port as the runtime's runs use it: CartPort and WmsPort speak hub records
// (src/records) and BatchResult; createPortFactory builds them on the connectors of port.ts
// (hub records become protocol records and back). Tests may pass their own PortFactory.

import {
  type BatchItem,
  type BatchResult,
  type IncomingLevel,
  type IncomingShipment,
  type Order,
  orderId,
  type RecordKind,
} from "../records/index.js";
import type { ConnectionSpec } from "../schedule/model.js";
import { type ConnectorContext, createCartConnector, createWmsConnector } from "./factory.js";
import {
  DEFAULT_PULL_LIMIT,
  type InventoryOut,
  type OrderOut,
  type RecordResult,
  type ShipmentOut,
} from "./port.js";

export interface Page<T> {
  items: T[];
  /** Where the next pull starts; stored only after the page's records are stored. */
  cursor: string | null;
  more: boolean;
}

export interface CartPort {
  pullOrders(cursor: string | null): Promise<Page<Order>>;
  pushShipments(items: BatchItem[], idempotencyKey: string): Promise<BatchResult>;
  pushInventory(items: BatchItem[], idempotencyKey: string): Promise<BatchResult>;
}

export interface WmsPort {
  pushOrders(items: BatchItem[], idempotencyKey: string): Promise<BatchResult>;
  pullShipments(cursor: string | null): Promise<Page<IncomingShipment>>;
  pullInventory(cursor: string | null): Promise<Page<IncomingLevel>>;
}

export interface PortFactory {
  cart(connection: ConnectionSpec | null, who: { merchantId: string; cartId: string }): CartPort;
  wms(connection: ConnectionSpec | null, who: { merchantId: string }): WmsPort;
}

/**
 * A whole-request failure's facts (ConnectorError has them): when to come back (HTTP 429 +
 * Retry-After) and whether sending again can help (false: 4xx, config).
 */
export interface RetryAfterError extends Error {
  retryAfterMs?: number;
  retryable?: boolean;
}

type Shared = Omit<ConnectorContext, "merchantId" | "cartId"> & { pullLimit?: number };

/** Per-record answers as a BatchResult; the receiver's error and retryable flag travel as they came. */
export function toBatchResult(results: RecordResult[]): BatchResult {
  const out: BatchResult = { ok: [], failed: [] };
  for (const r of results) {
    if (r.ok) out.ok.push(r.id);
    else out.failed.push({ id: r.id, error: r.error, retryable: r.retryable });
  }
  return out;
}

/** A claimed record of another kind than the push sends: a routing bug, not a record's fault. */
function wrongKind(item: BatchItem, kind: RecordKind): Error {
  return new Error(`${item.recordId}: a ${item.record.kind} record in a ${kind} push`);
}

/** The stored order as the cart gave it, with the hub's id, external id and cart. */
function orderOut(item: BatchItem): OrderOut {
  const r = item.record;
  if (r.kind !== "order") throw wrongKind(item, "order");
  return { id: item.recordId, ...r.payload, externalId: r.externalId, cartId: r.cartId };
}

function shipmentOut(item: BatchItem): ShipmentOut {
  const r = item.record;
  if (r.kind !== "shipment") throw wrongKind(item, "shipment");
  const { orderExternalId, carrier, trackingNumber, shippedAt } = r.payload;
  return { id: item.recordId, orderExternalId, carrier, trackingNumber, shippedAt };
}

/** The newest stored level (the record keeps only the newest per sku). */
function inventoryOut(item: BatchItem): InventoryOut {
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

function page<T, U>(p: { cursor: string; more: boolean }, items: T[], map: (t: T) => U): Page<U> {
  return { items: items.map(map), cursor: p.cursor, more: p.more };
}

export function createPortFactory(shared: Shared = {}): PortFactory {
  const limit = shared.pullLimit ?? DEFAULT_PULL_LIMIT;
  return {
    cart(connection: ConnectionSpec | null, who: { merchantId: string; cartId: string }): CartPort {
      const c = createCartConnector(connection, { ...shared, ...who });
      return {
        pullOrders: async (cursor) => {
          const p = await c.pullOrders(cursor ?? undefined, limit);
          return { items: p.orders, cursor: p.cursor, more: p.more };
        },
        pushShipments: async (items, key) =>
          toBatchResult(await c.pushShipments(items.map(shipmentOut), key)),
        pushInventory: async (items, key) =>
          toBatchResult(await c.pushInventory(items.map(inventoryOut), key)),
      };
    },
    wms(connection: ConnectionSpec | null, who: { merchantId: string }): WmsPort {
      const w = createWmsConnector(connection, { ...shared, ...who });
      const m = who.merchantId;
      return {
        pushOrders: async (items, key) => toBatchResult(await w.pushOrders(items.map(orderOut), key)),
        pullShipments: async (cursor) => {
          const p = await w.pullShipments(cursor ?? undefined, limit);
          return page(
            p,
            p.shipments,
            (s): IncomingShipment => ({
              externalId: s.id,
              orderId:
                s.orderId ??
                (s.cartId ? orderId(m, s.cartId, s.orderExternalId) : `order:${m}:?:${s.orderExternalId}`),
              payload: s,
            }),
          );
        },
        pullInventory: async (cursor) => {
          const p = await w.pullInventory(cursor ?? undefined, limit);
          return page(
            p,
            p.levels,
            (l): IncomingLevel => ({
              sku: l.sku,
              quantity: l.available,
              asOf: new Date(l.asOf),
              ...(l.warehouse === undefined ? {} : { warehouse: l.warehouse }),
            }),
          );
        },
      };
    },
  };
}
