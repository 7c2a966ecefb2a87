// What a run needs from the outside world. The connectors (src/connectors) are adapted to this in
// connect.ts; tests may pass their own factory.
import type { ConnectionSpec } from "../config/model.js";
import type {
  BatchItem,
  BatchResult,
  IncomingLevel,
  IncomingOrder,
  IncomingShipment,
} from "../records/index.js";

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

/** A whole-request failure that says when to come back (HTTP 429 + Retry-After). */
export interface RetryAfterError extends Error {
  retryAfterMs?: number;
}
