// The `sandbox` connector: an in-process simulated cart and WMS for the demo, trials and the load
// benchmark. SIMULATION ONLY — it talks to nothing; never configure it for a real merchant.
// The cart makes orders at orderRatePerMinute; the WMS ships every order it accepts at once and
// lowers the stock of its SKUs; each pushed record fails with probability failureRate. All of it
// is deterministic for a given seed (and clock).
import {
  type CartConnector,
  ConnectorError,
  type InventoryIn,
  type InventoryOut,
  type OrderIn,
  type OrderOut,
  type RecordResult,
  type ShipmentIn,
  type ShipmentOut,
  type WmsConnector,
} from "./port.js";
import { type Decide, SimCart, SimRequestError, SimWms } from "./sim.js";

export interface SandboxOptions {
  orderRatePerMinute?: number;
  /** 0..1, per record and attempt. */
  failureRate?: number;
  seed?: number;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Rejections decided by a test, before the random ones. */
  reject?: Decide;
}

export const SANDBOX_SKUS = Array.from({ length: 20 }, (_, i) => `SKU-${String(i + 1).padStart(3, "0")}`);
const INITIAL_STOCK = 1_000;
/** Orders made in one pull at most, so a long idle sandbox does not produce a flood at once. */
const MAX_CATCH_UP = 10_000;

/** FNV-1a then mulberry32's mixer: a uniform number in [0, 1) for a string. */
export function unitHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  let t = (h + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function randomFailures(seed: number, rate: number, first?: Decide): Decide {
  return (kind, id, attempt) =>
    first?.(kind, id, attempt) ??
    (rate > 0 && unitHash(`${seed}:${kind}:${id}:${attempt}`) < rate
      ? { error: "simulated failure (sandbox failureRate)", retryable: true }
      : undefined);
}

/** Runs a simulated request, turning whole-request refusals into ConnectorErrors. */
function call<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(structuredClone(fn()));
  } catch (err) {
    if (err instanceof SimRequestError) {
      return Promise.reject(
        new ConnectorError("http", `sandbox: HTTP ${err.status}: ${err.message}`, { status: err.status }),
      );
    }
    return Promise.reject(err);
  }
}

export class SandboxCart implements CartConnector {
  readonly sim: SimCart;
  private readonly now: () => number;
  private readonly start: number;
  private readonly rate: number;
  private readonly seed: number;
  private made = 0;

  constructor(cartId: string, o: SandboxOptions = {}) {
    this.seed = o.seed ?? 1;
    this.rate = o.orderRatePerMinute ?? 0;
    this.now = o.now ?? Date.now;
    this.start = this.now();
    this.sim = new SimCart(cartId, randomFailures(this.seed, o.failureRate ?? 0, o.reject));
  }

  pullOrders(cursor: string | undefined, limit: number) {
    this.makeDueOrders();
    return call(() => {
      const p = this.sim.orders.page(cursor, limit);
      return { orders: p.items, cursor: p.cursor, more: p.more };
    });
  }

  pushShipments(batch: ShipmentOut[], idempotencyKey: string): Promise<RecordResult[]> {
    return call(() => this.sim.shipments.push(batch, idempotencyKey));
  }

  pushInventory(batch: InventoryOut[], idempotencyKey: string): Promise<RecordResult[]> {
    return call(() => this.sim.inventory.push(batch, idempotencyKey));
  }

  private makeDueOrders(): void {
    if (this.rate <= 0) return;
    const due = Math.floor(((this.now() - this.start) * this.rate) / 60_000);
    const until = Math.min(due, this.made + MAX_CATCH_UP);
    const orders: OrderIn[] = [];
    for (let n = this.made + 1; n <= until; n++) orders.push(this.order(n));
    this.made = Math.max(this.made, until);
    this.sim.addOrders(orders);
  }

  private order(n: number): OrderIn {
    const r = (k: string) => unitHash(`${this.seed}:${this.sim.cartId}:${n}:${k}`);
    const lines = Array.from({ length: 1 + Math.floor(r("lines") * 3) }, (_, i) => ({
      sku: SANDBOX_SKUS[Math.floor(r(`sku${i}`) * SANDBOX_SKUS.length)] as string,
      qty: 1 + Math.floor(r(`qty${i}`) * 3),
    }));
    return {
      externalId: `${this.sim.cartId}-${n}`,
      cartId: this.sim.cartId,
      lines,
      shipTo: { name: `Customer ${n}`, line1: `${n} Sandbox Street`, city: "Testville", country: "US" },
      placedAt: new Date(this.start + (n * 60_000) / this.rate).toISOString(),
    };
  }
}

export class SandboxWms implements WmsConnector {
  readonly sim: SimWms;
  private readonly now: () => number;
  private readonly stock = new Map(SANDBOX_SKUS.map((s) => [s, INITIAL_STOCK]));

  constructor(o: SandboxOptions = {}) {
    this.now = o.now ?? Date.now;
    const seed = o.seed ?? 1;
    this.sim = new SimWms(randomFailures(seed, o.failureRate ?? 0, o.reject), (order) => this.fulfil(order));
  }

  pushOrders(batch: OrderOut[], idempotencyKey: string): Promise<RecordResult[]> {
    return call(() => this.sim.orders.push(batch, idempotencyKey));
  }

  pullShipments(cursor: string | undefined, limit: number) {
    return call(() => {
      const p = this.sim.shipments.page(cursor, limit);
      return { shipments: p.items, cursor: p.cursor, more: p.more };
    });
  }

  pullInventory(cursor: string | undefined, limit: number) {
    return call(() => {
      const p = this.sim.levels.page(cursor, limit);
      return { levels: p.items, cursor: p.cursor, more: p.more };
    });
  }

  /** Ships an accepted order at once and reports the new stock of its SKUs. */
  private fulfil(order: OrderOut): void {
    const at = new Date(this.now()).toISOString();
    const shipment: ShipmentIn = {
      id: `shp-${order.id}`,
      orderId: order.id,
      orderExternalId: order.externalId,
      cartId: order.cartId,
      carrier: "SIM",
      trackingNumber: `SIM${(unitHash(order.id) * 1e10).toFixed(0).padStart(10, "0")}`,
      shippedAt: at,
    };
    this.sim.addShipments([shipment]);
    const levels: InventoryIn[] = [];
    for (const line of order.lines) {
      const left = Math.max(0, (this.stock.get(line.sku) ?? INITIAL_STOCK) - line.qty);
      this.stock.set(line.sku, left);
      levels.push({ sku: line.sku, available: left, warehouse: "SIM-1", asOf: at });
    }
    this.sim.addLevels(levels);
  }
}
