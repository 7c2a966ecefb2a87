// The `sandbox` connector: an in-process simulated cart and WMS for the demo, trials and the load
// benchmark. SIMULATION ONLY — it talks to nothing; never configure it for a real merchant.
// The cart makes orders at orderRatePerMinute; the WMS ships every order it accepts at once and
// lowers the stock of its SKUs; each pushed record fails with probability failureRate (a transient,
// retryable error), and a WMS with failureRate > 0 puts its 5th order on hold (not retryable: it
// needs a resend). All of it is deterministic for a given seed (and clock). With a journal
// (sandbox-journal.ts) the state lives in the store and is shared by every process.
import {
  type CartConnector,
  ConnectorError,
  type InventoryLevel,
  type InventoryOut,
  type Order,
  type OrderOut,
  type RecordResult,
  type Shipment,
  type ShipmentOut,
  type WmsConnector,
} from "./port.js";
import type { JournalEntry, SandboxJournal } from "./sandbox-journal.js";
import { type Decide, type PushEndpoint, type PushKind, SimCart, SimRequestError, SimWms } from "./sim.js";

export interface SandboxOptions {
  orderRatePerMinute?: number;
  /** 0..1, per record and attempt. */
  failureRate?: number;
  seed?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Rejections decided by a test, before the random ones. */
  reject?: Decide;
  /** Keeps the state in a journal shared by processes (default: in this object only). */
  journal?: SandboxJournal;
  /** The sandbox's name in the journal (default "cart:<cartId>" or "wms"). */
  name?: string;
  /**
   * Minutes of orders a new cart has waiting at its first pull, as a shop that traded before it
   * was connected (default 0: the first pull at the cart's creation brings none).
   */
  backlogMinutes?: number;
}

export const SANDBOX_SKUS = Array.from({ length: 20 }, (_, i) => `SKU-${String(i + 1).padStart(3, "0")}`);
const INITIAL_STOCK = 1_000;
/** Orders made in one pull at most, so a long idle sandbox does not produce a flood at once. */
const MAX_CATCH_UP = 10_000;
/** The WMS's distinct order that is put on hold (when failureRate > 0): one resend per demo WMS. */
export const HELD_ORDER_NTH = 5;

/** FNV-1a then mulberry32's mixer: a uniform number in [0, 1) for a string. */
export function unitHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  let t = (h + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Transient errors as real carts and WMSs return them (all retryable). */
const TRANSIENT: Record<PushKind, readonly string[]> = {
  orders: ["HTTP 503: the WMS is busy, try again later", "HTTP 504: the WMS did not answer in time"],
  shipments: ["HTTP 429: the cart API's rate limit is reached", "HTTP 502: the cart's gateway failed"],
  inventory: ["HTTP 409: a stock update of this SKU is in progress", "HTTP 503: the cart is in maintenance"],
};

function randomFailures(seed: number, rate: number, first?: Decide): Decide {
  return (kind, id, attempt) => {
    const decided = first?.(kind, id, attempt);
    if (decided || rate <= 0) return decided;
    const u = unitHash(`${seed}:${kind}:${id}:${attempt}`);
    if (u >= rate) return undefined;
    const messages = TRANSIENT[kind];
    const error = messages[Math.floor((u / rate) * messages.length)] ?? messages[0];
    return { error: `sandbox: ${error} (simulated)`, retryable: true };
  };
}

/**
 * Serialises the calls of one sandbox and keeps it in step with its journal: before each call it
 * replays what other processes wrote; a call that changes the state appends one entry.
 */
abstract class Journaled {
  private seq = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly journal: SandboxJournal | undefined,
    private readonly name: string,
  ) {}

  /** Back to the state before any entry. */
  protected abstract reset(): void;
  protected abstract replay(entry: JournalEntry): void;

  /** Runs fn on the current state; fn returns its answer and the entry recording its change, if any. */
  protected exclusive<T>(fn: () => { result: T; entry?: JournalEntry | undefined }): Promise<T> {
    const run = async (): Promise<T> => {
      for (;;) {
        await this.catchUp();
        const { result, entry } = call(fn);
        if (!entry || !this.journal) return structuredClone(result);
        if (await this.journal.append(this.name, this.seq + 1, entry)) {
          this.seq += 1;
          return structuredClone(result);
        }
        // Another process wrote this number first: rebuild from the journal, then decide again.
        this.reset();
        this.seq = 0;
      }
    };
    const p = this.chain.then(run);
    this.chain = p.catch(() => {});
    return p;
  }

  private async catchUp(): Promise<void> {
    if (!this.journal) return;
    for (const e of await this.journal.since(this.name, this.seq)) {
      this.replay(e);
      this.seq += 1;
    }
  }
}

/** Runs a simulated request, turning whole-request refusals into ConnectorErrors. */
function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SimRequestError) {
      throw new ConnectorError("http", `sandbox: HTTP ${err.status}: ${err.message}`, { status: err.status });
    }
    throw err;
  }
}

/** A push through the endpoint, and the journal entry when it changed anything (a new key). */
function pushed<T extends OrderOut | ShipmentOut | InventoryOut>(
  endpoint: PushEndpoint<T>,
  kind: PushKind,
  at: number,
  batch: T[],
  key: string,
): { result: RecordResult[]; entry?: JournalEntry } {
  const fresh = !endpoint.knows(key);
  const result = endpoint.push(batch, key);
  if (!fresh) return { result };
  return { result, entry: { op: "push", at, kind, key, batch: structuredClone(batch), results: result } };
}

export class SandboxCart extends Journaled implements CartConnector {
  private current!: SimCart;
  private readonly now: () => number;
  private readonly rate: number;
  private readonly seed: number;
  private readonly backlogMs: number;
  private readonly decide: Decide;
  private readonly createdAt: number;
  /** Orders are made up to this time (epoch ms); undefined until the first pull. */
  private clockAt: number | undefined;

  constructor(
    readonly cartId: string,
    o: SandboxOptions = {},
  ) {
    super(o.journal, o.name ?? `cart:${cartId}`);
    this.seed = o.seed ?? 1;
    this.rate = o.orderRatePerMinute ?? 0;
    this.now = o.now ?? Date.now;
    this.createdAt = this.now();
    this.backlogMs = (o.backlogMinutes ?? 0) * 60_000;
    this.decide = randomFailures(this.seed, o.failureRate ?? 0, o.reject);
    this.reset();
  }

  get sim(): SimCart {
    return this.current;
  }

  protected reset(): void {
    this.current = new SimCart(this.cartId, this.decide);
    this.clockAt = undefined;
  }

  protected replay(e: JournalEntry): void {
    if (e.op === "orders") {
      this.current.addOrders(e.orders);
      this.clockAt = e.clockAt;
    } else if (e.kind === "shipments") {
      this.current.shipments.replay(e.batch as ShipmentOut[], e.key, e.results);
    } else {
      this.current.inventory.replay(e.batch as InventoryOut[], e.key, e.results);
    }
  }

  async pullOrders(cursor: string | undefined, limit: number) {
    await this.exclusive(() => ({ result: null, entry: this.makeDueOrders() }));
    return this.exclusive(() => {
      const p = this.current.orders.page(cursor, limit);
      return { result: { orders: p.items, cursor: p.cursor, more: p.more } };
    });
  }

  pushShipments(batch: ShipmentOut[], idempotencyKey: string): Promise<RecordResult[]> {
    return this.exclusive(() =>
      pushed(this.current.shipments, "shipments", this.now(), batch, idempotencyKey),
    );
  }

  pushInventory(batch: InventoryOut[], idempotencyKey: string): Promise<RecordResult[]> {
    return this.exclusive(() =>
      pushed(this.current.inventory, "inventory", this.now(), batch, idempotencyKey),
    );
  }

  /** Makes the orders due since the cart's clock (or its creation); the entry records them and the clock. */
  private makeDueOrders(): JournalEntry | undefined {
    if (this.rate <= 0) return undefined;
    const now = this.now();
    const first = this.clockAt === undefined;
    const from = this.clockAt ?? this.createdAt - this.backlogMs;
    const step = 60_000 / this.rate;
    let count = Math.max(0, Math.floor(((now - from) * this.rate) / 60_000));
    let clockAt = from + count * step;
    if (count > MAX_CATCH_UP) {
      count = MAX_CATCH_UP;
      clockAt = now;
    }
    if (count === 0 && !first) return undefined;
    const made = this.current.orders.items.length;
    const orders = Array.from({ length: count }, (_, i) => this.order(made + i + 1, from + (i + 1) * step));
    this.current.addOrders(orders);
    this.clockAt = clockAt;
    return { op: "orders", at: now, clockAt, orders };
  }

  private order(n: number, placedAt: number): Order {
    const r = (k: string) => unitHash(`${this.seed}:${this.cartId}:${n}:${k}`);
    const lines = Array.from({ length: 1 + Math.floor(r("lines") * 3) }, (_, i) => ({
      sku: SANDBOX_SKUS[Math.floor(r(`sku${i}`) * SANDBOX_SKUS.length)] as string,
      qty: 1 + Math.floor(r(`qty${i}`) * 3),
    }));
    return {
      externalId: `${this.cartId}-${n}`,
      cartId: this.cartId,
      lines,
      shipTo: { name: `Customer ${n}`, line1: `${n} Sandbox Street`, city: "Testville", country: "US" },
      placedAt: new Date(placedAt).toISOString(),
    };
  }
}

export class SandboxWms extends Journaled implements WmsConnector {
  private current!: SimWms;
  private stock!: Map<string, number>;
  private readonly now: () => number;
  private readonly decide: Decide;
  /** The time of the push being applied or replayed: when its orders ship. */
  private at = 0;

  constructor(o: SandboxOptions = {}) {
    super(o.journal, o.name ?? "wms");
    this.now = o.now ?? Date.now;
    const rate = o.failureRate ?? 0;
    const random = randomFailures(o.seed ?? 1, rate, o.reject);
    this.decide = (kind, id, attempt) =>
      random(kind, id, attempt) ?? (rate > 0 ? this.hold(id, attempt) : undefined);
    this.reset();
  }

  get sim(): SimWms {
    return this.current;
  }

  protected reset(): void {
    this.current = new SimWms(this.decide, (order) => this.fulfil(order));
    this.stock = new Map(SANDBOX_SKUS.map((s) => [s, INITIAL_STOCK]));
  }

  protected replay(e: JournalEntry): void {
    if (e.op !== "push") return;
    this.at = e.at;
    this.current.orders.replay(e.batch as OrderOut[], e.key, e.results);
  }

  pushOrders(batch: OrderOut[], idempotencyKey: string): Promise<RecordResult[]> {
    return this.exclusive(() => {
      this.at = this.now();
      return pushed(this.current.orders, "orders", this.at, batch, idempotencyKey);
    });
  }

  pullShipments(cursor: string | undefined, limit: number) {
    return this.exclusive(() => {
      const p = this.current.shipments.page(cursor, limit);
      return { result: { shipments: p.items, cursor: p.cursor, more: p.more } };
    });
  }

  pullInventory(cursor: string | undefined, limit: number) {
    return this.exclusive(() => {
      const p = this.current.levels.page(cursor, limit);
      return { result: { levels: p.items, cursor: p.cursor, more: p.more } };
    });
  }

  /** The Nth distinct order offered, on its first offer: a hold that only a resend clears. */
  private hold(_id: string, attempt: number): { error: string; retryable: boolean } | undefined {
    if (attempt !== 0 || this.current.orders.distinctOffered !== HELD_ORDER_NTH) return undefined;
    return {
      error: "sandbox: order on hold: the ship-to address needs review; resend it once reviewed (simulated)",
      retryable: false,
    };
  }

  /** Ships an accepted order at once and reports the new stock of its SKUs. */
  private fulfil(order: OrderOut): void {
    const at = new Date(this.at).toISOString();
    const shipment: Shipment = {
      id: `shp-${order.id}`,
      orderId: order.id,
      orderExternalId: order.externalId,
      cartId: order.cartId,
      carrier: "SIM",
      trackingNumber: `SIM${(unitHash(order.id) * 1e10).toFixed(0).padStart(10, "0")}`,
      shippedAt: at,
    };
    this.current.addShipments([shipment]);
    const levels: InventoryLevel[] = [];
    for (const line of order.lines) {
      const left = Math.max(0, (this.stock.get(line.sku) ?? INITIAL_STOCK) - line.qty);
      this.stock.set(line.sku, left);
      levels.push({ sku: line.sku, available: left, warehouse: "SIM-1", asOf: at });
    }
    this.current.addLevels(levels);
  }
}
