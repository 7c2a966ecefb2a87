// The connector port as the runtime's runs use it: CartPort and WmsPort speak hub records
// (src/records) and BatchResult; createPortFactory builds them on the connectors of port.ts
// (hub records become protocol records and back). Tests may pass their own PortFactory.

import {
  type BatchItem,
  type BatchResult,
  type IncomingLevel,
  type IncomingOrder,
  type IncomingShipment,
  orderId,
} from "../records/index.js";
import type { ConnectionSpec } from "../schedule/model.js";
import { type ConnectorContext, createCartConnector, createWmsConnector } from "./factory.js";
import {
  DEFAULT_PULL_LIMIT,
  type InventoryIn,
  type InventoryOut,
  type OrderIn,
  type OrderOut,
  type RecordResult,
  type ShipmentIn,
  type ShipmentOut,
} from "./port.js";

export interface Page<T> {
  items: T[];
  /** Where the next pull starts; stored only after the page's records are stored. */
  cursor: string | null;
  more: boolean;
}

export interface CartPort {
  pullOrders(cursor: string | null): Promise<Page<IncomingOrder>>;
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

const iso = (v: unknown, fallback: Date): string => {
  const d = v instanceof Date ? v : typeof v === "string" ? new Date(v) : fallback;
  return Number.isNaN(d.getTime()) ? fallback.toISOString() : d.toISOString();
};

/** Per-record answers as a BatchResult; the receiver's error and retryable flag travel as they came. */
export function toBatchResult(results: RecordResult[]): BatchResult {
  const out: BatchResult = { ok: [], failed: [] };
  for (const r of results) {
    if (r.ok) out.ok.push(r.id);
    else out.failed.push({ id: r.id, error: r.error, retryable: r.retryable });
  }
  return out;
}

function orderOut(item: BatchItem): OrderOut {
  const r = item.record;
  const p = r.payload as Partial<OrderIn>;
  return {
    id: item.recordId,
    externalId: r.kind === "order" ? r.externalId : String(p.externalId ?? ""),
    cartId: r.kind === "order" ? r.cartId : String(p.cartId ?? ""),
    lines: Array.isArray(p.lines) ? p.lines : [],
    shipTo: p.shipTo ?? {},
    placedAt: iso(p.placedAt, r.createdAt),
  };
}

function shipmentOut(item: BatchItem): ShipmentOut {
  const p = item.record.payload as Partial<ShipmentIn>;
  return {
    id: item.recordId,
    orderExternalId: String(p.orderExternalId ?? ""),
    carrier: String(p.carrier ?? ""),
    trackingNumber: String(p.trackingNumber ?? ""),
    shippedAt: iso(p.shippedAt, item.record.createdAt),
  };
}

function inventoryOut(item: BatchItem): InventoryOut {
  const r = item.record;
  const p = r.payload as Partial<InventoryIn>;
  const out: InventoryOut = {
    id: item.recordId,
    sku: r.kind === "inventory" ? r.sku : String(p.sku ?? ""),
    available: r.kind === "inventory" ? r.quantity : Number(p.available ?? 0),
    asOf: iso(r.kind === "inventory" ? r.asOf : p.asOf, r.createdAt),
  };
  if (typeof p.warehouse === "string") out.warehouse = p.warehouse;
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
          return page(p, p.orders, (o): IncomingOrder => ({ externalId: o.externalId, payload: { ...o } }));
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
              payload: { ...s },
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
              payload: { ...l },
            }),
          );
        },
      };
    },
  };
}
