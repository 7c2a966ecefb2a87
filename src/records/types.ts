// Record and delivery documents. A record is what the hub holds (an order, a shipment, an
// inventory level); a delivery is that record's state towards one destination. The records'
// fields are the protocol's types (protocol.ts), stored as the source gave them.
import type { Order, Shipment } from "./protocol.js";

export type RecordKind = "order" | "shipment" | "inventory";
export type OrderStatus = "new" | "at_wms" | "shipped" | "confirmed" | "error";
/**
 * A delivery's state. `failed` is retried by later runs; `skipped` gave up (attempts or age);
 * `held` was refused by the receiver as not retryable (docs/connector-protocol.md): no run,
 * trigger or cleanup sends it again, only `schedsync resend`.
 */
export type DeliveryState = "pending" | "inflight" | "delivered" | "failed" | "skipped" | "held";
/** Every delivery state, in the order people read them. */
export const DELIVERY_STATES: readonly DeliveryState[] = [
  "pending",
  "inflight",
  "delivered",
  "failed",
  "skipped",
  "held",
];
/** The services that push records to a destination. */
export type PushService = "orderDelivery" | "shipmentUpload" | "inventoryUpload";

export interface OrderDoc {
  _id: string;
  kind: "order";
  merchantId: string;
  cartId: string;
  externalId: string;
  status: OrderStatus;
  /** The order as the cart gave it (parsed and checked); sent to the WMS as it is. */
  payload: Order;
  lastError?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ShipmentDoc {
  _id: string;
  kind: "shipment";
  merchantId: string;
  externalId: string;
  /** The hub order this tracking belongs to, when known. */
  orderId: string;
  /** The cart that owns the order; null when the order is unknown to the hub. */
  cartId: string | null;
  /** The tracking as the WMS gave it (parsed and checked). */
  payload: Shipment;
  createdAt: Date;
  updatedAt: Date;
}

export interface InventoryDoc {
  _id: string;
  kind: "inventory";
  merchantId: string;
  sku: string;
  quantity: number;
  /** When the WMS measured the level; a level older than the stored one is ignored. */
  asOf: Date;
  /** The WMS's warehouse, when it names one. */
  warehouse?: string;
  createdAt: Date;
  updatedAt: Date;
}

export type RecordDoc = OrderDoc | ShipmentDoc | InventoryDoc;

/** Which deliveries a run works on: one push service towards one destination. */
export interface Scope {
  service: PushService;
  merchantId: string;
  /** The destination cart; null for the merchant's WMS. */
  cartId: string | null;
}

export interface DeliveryDoc extends Scope {
  _id: string;
  recordId: string;
  kind: RecordKind;
  state: DeliveryState;
  attempts: number;
  lastError?: string;
  lastAttemptAt?: Date;
  nextEligibleAt?: Date;
  /** Set while in flight: the batch (and Idempotency-Key) it travels in. */
  batchId?: string;
  /** The record changed while in flight: send again after this batch. */
  stale?: boolean;
  deliveredAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface BatchItem {
  deliveryId: string;
  recordId: string;
  record: RecordDoc;
  /** When the record was queued for this destination (its arrival, for latency metrics). */
  queuedAt?: Date;
}

export interface BatchResult {
  /** Record ids the receiver acknowledged. */
  ok: string[];
  /** Records the receiver rejected; ids neither here nor in ok count as failed too. */
  failed: RecordRejection[];
}

/** One record the receiver did not take. */
export interface RecordRejection {
  id: string;
  error: string;
  retryAfterMs?: number;
  /** false: the receiver said sending it again will not help; the delivery is held until resend. */
  retryable?: boolean;
  /**
   * true: the record was not taken because of the connection's API budget (its rate limit, not the
   * record): it waits retryAfterMs like a failure, but the attempt is not counted, so pacing never
   * makes a record reach maxAttempts and be skipped, and an order's status does not turn to error.
   */
  deferred?: boolean;
}

/** A claimed batch. Its id is the Idempotency-Key of every attempt to send it. */
export interface BatchDoc extends Scope {
  _id: string;
  owner: string;
  /** Lease end: after it, another worker may take the whole batch over. */
  until: Date;
  /** How many times the batch was taken (1 = first send). */
  takes: number;
  /** Frozen at first claim so a retry sends the same body with the same key. */
  items?: BatchItem[];
  /** Written before the deliveries are updated, so a crash there is finished on takeover. */
  result?: BatchResult;
  createdAt: Date;
}

export interface RetryPolicy {
  /** Attempts after which a failing record is skipped. */
  maxAttempts: number;
  /** Age (from first seen) after which a failing record is skipped. */
  maxAgeMs: number;
  /** Minimum wait before a failed record is eligible again (0: the next run). */
  retryDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 100,
  maxAgeMs: 15 * 24 * 3600_000,
  retryDelayMs: 0,
};
