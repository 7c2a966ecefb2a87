// The connectors port: what the hub asks of a shopping cart and of a WMS/OMS. Adapters (http,
// sandbox) implement it; test/contract/connector-contract.ts is the behaviour every one must pass.

import type {
  InventoryLevel,
  InventoryOut,
  Order,
  OrderOut,
  PullPage,
  RecordResult,
  Shipment,
  ShipmentOut,
} from "../records/protocol.js";

// The records the port carries are the data plane's (src/records/protocol.ts); named here too.
export type * from "../records/protocol.js";

export interface CartConnector {
  pullOrders(cursor: string | undefined, limit: number): Promise<PullPage & { orders: Order[] }>;
  pushShipments(batch: ShipmentOut[], idempotencyKey: string): Promise<RecordResult[]>;
  pushInventory(batch: InventoryOut[], idempotencyKey: string): Promise<RecordResult[]>;
}

export interface WmsConnector {
  pushOrders(batch: OrderOut[], idempotencyKey: string): Promise<RecordResult[]>;
  pullShipments(cursor: string | undefined, limit: number): Promise<PullPage & { shipments: Shipment[] }>;
  pullInventory(cursor: string | undefined, limit: number): Promise<PullPage & { levels: InventoryLevel[] }>;
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
  /** For kind "protocol": the malformed field of the answer, e.g. `orders[2].placedAt`. */
  readonly field?: string;

  constructor(
    kind: ConnectorErrorKind,
    message: string,
    opts: {
      retryable?: boolean;
      status?: number;
      retryAfterMs?: number;
      field?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "ConnectorError";
    this.kind = kind;
    this.retryable = opts.retryable ?? defaultRetryable(kind, opts.status);
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.field !== undefined) this.field = opts.field;
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
