// In-memory reference behaviour of a cart and a WMS, as docs/connector-protocol.md asks of a
// server: cursor pages, per-record results, and a repeated Idempotency-Key answered with the
// stored results without applying anything again. The sandbox adapter runs it in process; the
// test server (test/helpers/fake-hub-server.ts) serves it over HTTP. Simulation only.
import type {
  InventoryLevel,
  InventoryOut,
  Order,
  OrderOut,
  RecordResult,
  Shipment,
  ShipmentOut,
} from "./port.js";

/** A per-record rejection decided by the simulation (random, or set by a test). */
export type Rejection = { error: string; retryable: boolean } | undefined;
/** attempt: how many times this id was offered before (0 on the first push). */
export type Decide = (kind: PushKind, id: string, attempt: number) => Rejection;
export type PushKind = "orders" | "shipments" | "inventory";

/** A request the simulated server refuses as a whole (HTTP status + message). */
export class SimRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SimRequestError";
  }
}

/** An append-only log read with numeric cursors ("" or absent = from the start). */
export class Log<T> {
  readonly items: T[] = [];

  page(cursor: string | undefined, limit: number): { items: T[]; cursor: string; more: boolean } {
    const from = cursor ? Number(cursor) : 0;
    if (!Number.isSafeInteger(from) || from < 0) throw new SimRequestError(400, "bad cursor");
    const start = Math.min(from, this.items.length);
    const items = this.items.slice(start, start + limit);
    const next = start + items.length;
    return { items, cursor: String(next), more: next < this.items.length };
  }
}

interface Stored {
  body: string;
  results: RecordResult[];
}

/** Applies each id of a push at most once per key; a repeated key returns the stored results. */
export class PushEndpoint<T extends { id: string }> {
  private readonly byKey = new Map<string, Stored>();
  private readonly offered = new Map<string, number>();
  /** Accepted records by id; a record re-sent under a new key replaces the stored one. */
  readonly accepted = new Map<string, T>();
  /** How many times each id was applied (accepted under a key not seen before). */
  readonly applied = new Map<string, number>();
  requests = 0;

  constructor(
    private readonly kind: PushKind,
    private readonly decide: Decide,
    private readonly onAccept: (record: T) => void = () => {},
  ) {}

  push(batch: T[], key: string): RecordResult[] {
    this.requests += 1;
    if (!key) throw new SimRequestError(400, "Idempotency-Key is required");
    const body = JSON.stringify(batch);
    const before = this.byKey.get(key);
    if (before) {
      if (before.body !== body)
        throw new SimRequestError(422, "Idempotency-Key reused with a different body");
      return before.results;
    }
    const results = batch.map((r) => this.apply(r));
    this.byKey.set(key, { body, results });
    return results;
  }

  /** True when a push under this key was applied already (a repeat changes nothing). */
  knows(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Ids offered at least once; the sandbox WMS holds the Nth distinct order. */
  get distinctOffered(): number {
    return this.offered.size;
  }

  /** Restores a push decided earlier (from the sandbox journal): same bookkeeping, no new decision. */
  replay(batch: T[], key: string, results: RecordResult[]): void {
    this.requests += 1;
    this.byKey.set(key, { body: JSON.stringify(batch), results });
    batch.forEach((record, i) => {
      this.offered.set(record.id, (this.offered.get(record.id) ?? 0) + 1);
      if (results[i]?.ok) this.accept(record);
    });
  }

  private accept(record: T): void {
    this.accepted.set(record.id, record);
    this.applied.set(record.id, (this.applied.get(record.id) ?? 0) + 1);
    this.onAccept(record);
  }

  private apply(record: T): RecordResult {
    const attempt = this.offered.get(record.id) ?? 0;
    this.offered.set(record.id, attempt + 1);
    const rejected = this.decide(this.kind, record.id, attempt);
    if (rejected) return { id: record.id, ok: false, ...rejected };
    this.accept(record);
    return { id: record.id, ok: true, remoteId: `r-${record.id}` };
  }
}

export const acceptAll: Decide = () => undefined;

export class SimCart {
  readonly orders = new Log<Order>();
  readonly shipments: PushEndpoint<ShipmentOut>;
  readonly inventory: PushEndpoint<InventoryOut>;

  constructor(
    readonly cartId: string,
    decide: Decide = acceptAll,
  ) {
    this.shipments = new PushEndpoint("shipments", decide);
    this.inventory = new PushEndpoint("inventory", decide);
  }

  addOrders(orders: Order[]): void {
    this.orders.items.push(...orders);
  }
}

export class SimWms {
  readonly shipments = new Log<Shipment>();
  readonly levels = new Log<InventoryLevel>();
  readonly orders: PushEndpoint<OrderOut>;

  constructor(decide: Decide = acceptAll, onOrder?: (order: OrderOut) => void) {
    this.orders = new PushEndpoint("orders", decide, onOrder);
  }

  addShipments(shipments: Shipment[]): void {
    this.shipments.items.push(...shipments);
  }

  addLevels(levels: InventoryLevel[]): void {
    this.levels.items.push(...levels);
  }
}
