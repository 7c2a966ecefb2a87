// The connectors port: what the hub asks of a shopping cart and of a WMS/OMS. Adapters (http,
// sandbox) implement it; test/contract/connector-contract.ts is the behaviour every one must pass.

export interface OrderLine {
  sku: string;
  qty: number;
}

export interface Address {
  name?: string;
  line1?: string;
  line2?: string;
  city?: string;
  postalCode?: string;
  region?: string;
  country?: string;
}

/** An order as the cart gives it. externalId is unique per cart. */
export interface OrderIn {
  externalId: string;
  cartId: string;
  lines: OrderLine[];
  shipTo: Address;
  /** ISO 8601. */
  placedAt: string;
}

/** An order as the hub gives it to the WMS; `id` is the hub's record id (echoed in results). */
export interface OrderOut extends OrderIn {
  id: string;
}

/** Tracking as the WMS gives it. `id` is the WMS's shipment id, unique per WMS. */
export interface ShipmentIn {
  id: string;
  /** The hub record id the order was pushed with, when the WMS kept it. */
  orderId?: string;
  orderExternalId: string;
  cartId?: string;
  carrier: string;
  trackingNumber: string;
  /** ISO 8601. */
  shippedAt: string;
}

/** Tracking as the hub gives it to the cart that owns the order; `id` is the hub's record id. */
export interface ShipmentOut {
  id: string;
  orderExternalId: string;
  carrier: string;
  trackingNumber: string;
  shippedAt: string;
}

/** A stock level as the WMS gives it. */
export interface InventoryIn {
  sku: string;
  available: number;
  warehouse?: string;
  /** ISO 8601: when the WMS measured it. */
  asOf: string;
}

export interface InventoryOut extends InventoryIn {
  id: string;
}

/** The receiver's answer for one record of a push. */
export type RecordResult =
  | { id: string; ok: true; remoteId?: string }
  | { id: string; ok: false; error: string; retryable: boolean };

export interface PullPage {
  /** Where the next pull starts. Opaque; store it only once the page is stored. */
  cursor: string;
  more: boolean;
}

export interface CartConnector {
  pullOrders(cursor: string | undefined, limit: number): Promise<PullPage & { orders: OrderIn[] }>;
  pushShipments(batch: ShipmentOut[], idempotencyKey: string): Promise<RecordResult[]>;
  pushInventory(batch: InventoryOut[], idempotencyKey: string): Promise<RecordResult[]>;
}

export interface WmsConnector {
  pushOrders(batch: OrderOut[], idempotencyKey: string): Promise<RecordResult[]>;
  pullShipments(cursor: string | undefined, limit: number): Promise<PullPage & { shipments: ShipmentIn[] }>;
  pullInventory(cursor: string | undefined, limit: number): Promise<PullPage & { levels: InventoryIn[] }>;
}

export type ConnectorErrorKind = "timeout" | "rate_limited" | "http" | "protocol" | "network" | "config";

/**
 * A whole-request failure (no per-record answer). Partial failure is not an error: it comes back
 * in RecordResult[]. Messages never contain tokens.
 */
export class ConnectorError extends Error {
  readonly kind: ConnectorErrorKind;
  readonly retryable: boolean;
  /** HTTP status, for kind "http" (and "rate_limited": 429). */
  readonly status?: number;
  /** When to come back, for kind "rate_limited". */
  readonly retryAfterMs?: number;

  constructor(
    kind: ConnectorErrorKind,
    message: string,
    opts: { retryable?: boolean; status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "ConnectorError";
    this.kind = kind;
    this.retryable = opts.retryable ?? defaultRetryable(kind, opts.status);
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

function defaultRetryable(kind: ConnectorErrorKind, status?: number): boolean {
  if (kind === "http") return status === undefined || status >= 500 || status === 408;
  return kind !== "config";
}

/** Default page size for pulls. */
export const DEFAULT_PULL_LIMIT = 100;
/** Largest page a server is asked for; bigger limits are clamped. */
export const MAX_PULL_LIMIT = 1000;
