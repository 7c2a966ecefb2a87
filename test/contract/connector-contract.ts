// What every connector adapter must do, whatever its transport. Each adapter's test file calls
// connectorContract() with factories that give a connector and the simulated state behind it.
import { afterEach, describe, expect, it } from "vitest";
import {
  type CartConnector,
  ConnectorError,
  type InventoryLevel,
  type InventoryOut,
  type Order,
  type OrderOut,
  type Shipment,
  type ShipmentOut,
  type WmsConnector,
} from "../../src/connectors/port.js";
import type { Rejection, SimCart, SimWms } from "../../src/connectors/sim.js";

export interface Harness {
  /** Ids whose pushes the receiver rejects, while they are in the map. */
  rejects: Map<string, NonNullable<Rejection>>;
  close?(): Promise<void>;
}
export interface CartHarness extends Harness {
  cart: CartConnector;
  sim: SimCart;
}
export interface WmsHarness extends Harness {
  wms: WmsConnector;
  sim: SimWms;
}

const at = "2024-03-01T10:00:00.000Z";

export const sampleOrder = (cartId: string, n: number): Order => ({
  externalId: `${cartId}-${n}`,
  cartId,
  lines: [{ sku: `SKU-${n % 7}`, qty: 1 + (n % 3) }],
  shipTo: { name: `Buyer ${n}`, city: "Lyon", country: "FR" },
  placedAt: at,
});
const orderOut = (n: number): OrderOut => ({ id: `order:m1:c1:c1-${n}`, ...sampleOrder("c1", n) });
const shipmentOut = (n: number): ShipmentOut => ({
  id: `ship:m1:s${n}`,
  orderExternalId: `c1-${n}`,
  carrier: "UPS",
  trackingNumber: `1Z${n}`,
  shippedAt: at,
});
const levelOut = (n: number): InventoryOut => ({
  id: `inv:m1:SKU-${n}`,
  sku: `SKU-${n}`,
  available: n * 10,
  asOf: at,
});
const shipmentIn = (n: number): Shipment => ({
  id: `s${n}`,
  orderId: `order:m1:c1:c1-${n}`,
  orderExternalId: `c1-${n}`,
  cartId: "c1",
  carrier: "DHL",
  trackingNumber: `JD${n}`,
  shippedAt: at,
});
const levelIn = (n: number): InventoryLevel => ({ sku: `SKU-${n}`, available: n, warehouse: "W1", asOf: at });
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Pulls every page from `cursor`, returning the items and the last cursor. */
async function drain<T>(
  pull: (cursor: string | undefined) => Promise<{ items: T[]; cursor: string; more: boolean }>,
  cursor?: string,
): Promise<{ items: T[]; cursor: string | undefined; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  for (;;) {
    const p = await pull(cursor);
    pages += 1;
    items.push(...p.items);
    cursor = p.cursor;
    if (!p.more) return { items, cursor, pages };
    if (pages > 100) throw new Error("pull does not end");
  }
}

export function connectorContract(
  name: string,
  makeCart: () => Promise<CartHarness>,
  makeWms: () => Promise<WmsHarness>,
): void {
  describe(`${name} connector contract`, () => {
    const open: Harness[] = [];
    afterEach(async () => {
      for (const h of open.splice(0)) await h.close?.();
    });
    const cartH = async () => {
      const h = await makeCart();
      open.push(h);
      return h;
    };
    const wmsH = async () => {
      const h = await makeWms();
      open.push(h);
      return h;
    };

    it("pulls orders in pages, complete and in order, and resumes from a stored cursor", async () => {
      const h = await cartH();
      h.sim.addOrders(range(25).map((n) => sampleOrder(h.sim.cartId, n)));
      const pull = async (c: string | undefined) => {
        const p = await h.cart.pullOrders(c, 10);
        expect(p.orders.length).toBeLessThanOrEqual(10);
        return { items: p.orders, cursor: p.cursor, more: p.more };
      };
      const first = await drain(pull);
      expect(first.pages).toBe(3);
      expect(first.items).toEqual(range(25).map((n) => sampleOrder(h.sim.cartId, n)));
      // Nothing new: an empty last page that keeps the cursor usable.
      const again = await h.cart.pullOrders(first.cursor, 10);
      expect(again).toMatchObject({ orders: [], more: false });
      h.sim.addOrders([26, 27].map((n) => sampleOrder(h.sim.cartId, n)));
      const next = await drain(pull, again.cursor);
      expect(next.items.map((o) => o.externalId)).toEqual([`${h.sim.cartId}-26`, `${h.sim.cartId}-27`]);
    });

    it("pulls shipments and inventory levels in pages, complete", async () => {
      const h = await wmsH();
      h.sim.addShipments(range(7).map(shipmentIn));
      h.sim.addLevels(range(5).map(levelIn));
      const s = await drain(async (c) => {
        const p = await h.wms.pullShipments(c, 3);
        return { items: p.shipments, cursor: p.cursor, more: p.more };
      });
      expect(s.items).toEqual(range(7).map(shipmentIn));
      expect(s.pages).toBe(3);
      const l = await drain(async (c) => {
        const p = await h.wms.pullInventory(c, 2);
        return { items: p.levels, cursor: p.cursor, more: p.more };
      });
      expect(l.items).toEqual(range(5).map(levelIn));
    });

    it("answers every push with one result per record, in the order sent", async () => {
      const c = await cartH();
      const w = await wmsH();
      const ships = range(4).map(shipmentOut);
      expect(await c.cart.pushShipments(ships, "k-ship-1")).toEqual(
        ships.map((s) => expect.objectContaining({ id: s.id, ok: true })),
      );
      const levels = range(3).map(levelOut);
      expect((await c.cart.pushInventory(levels, "k-inv-1")).map((r) => [r.id, r.ok])).toEqual(
        levels.map((l) => [l.id, true]),
      );
      const orders = range(5).map(orderOut);
      expect((await w.wms.pushOrders(orders, "k-ord-1")).map((r) => [r.id, r.ok])).toEqual(
        orders.map((o) => [o.id, true]),
      );
      expect([...c.sim.shipments.accepted.values()]).toEqual(ships);
      expect([...c.sim.inventory.accepted.values()]).toEqual(levels);
      expect([...w.sim.orders.accepted.values()]).toEqual(orders);
    });

    it("does not apply a push twice when it is repeated with the same Idempotency-Key", async () => {
      const w = await wmsH();
      const orders = range(3).map(orderOut);
      w.rejects.set(orders[1]!.id, { error: "sku unknown", retryable: true });
      const first = await w.wms.pushOrders(orders, "same-key");
      const second = await w.wms.pushOrders(orders, "same-key");
      expect(second).toEqual(first);
      for (const o of orders) expect(w.sim.orders.applied.get(o.id) ?? 0).toBeLessThanOrEqual(1);
      expect(w.sim.orders.applied.get(orders[0]!.id)).toBe(1);
      // The same key answers the same even after the failure cause is gone.
      w.sim.orders.applied.clear();
      expect(await w.wms.pushOrders(orders, "same-key")).toEqual(first);
      expect(w.sim.orders.applied.size).toBe(0);
    });

    it("reports partial failure per record, with the receiver's error and retryable flag", async () => {
      const c = await cartH();
      const ships = range(4).map(shipmentOut);
      c.rejects.set(ships[1]!.id, { error: "order not found", retryable: false });
      c.rejects.set(ships[3]!.id, { error: "busy", retryable: true });
      const r = await c.cart.pushShipments(ships, "k-partial");
      expect(r).toEqual([
        expect.objectContaining({ id: ships[0]!.id, ok: true }),
        { id: ships[1]!.id, ok: false, error: "order not found", retryable: false },
        expect.objectContaining({ id: ships[2]!.id, ok: true }),
        { id: ships[3]!.id, ok: false, error: "busy", retryable: true },
      ]);
      expect([...c.sim.shipments.accepted.keys()]).toEqual([ships[0]!.id, ships[2]!.id]);
    });

    it("accepts a failed record when it is sent again under a new key", async () => {
      const c = await cartH();
      const levels = range(2).map(levelOut);
      c.rejects.set(levels[0]!.id, { error: "locked", retryable: true });
      expect((await c.cart.pushInventory(levels, "k-a")).map((r) => r.ok)).toEqual([false, true]);
      c.rejects.delete(levels[0]!.id);
      // The old key still answers as before; a new key is a new attempt.
      expect((await c.cart.pushInventory(levels, "k-a")).map((r) => r.ok)).toEqual([false, true]);
      expect(await c.cart.pushInventory([levels[0]!], "k-b")).toEqual([
        expect.objectContaining({ ok: true }),
      ]);
      expect(c.sim.inventory.applied.get(levels[0]!.id)).toBe(1);
      expect(c.sim.inventory.applied.get(levels[1]!.id)).toBe(1);
    });

    it("refuses a reused Idempotency-Key with a different body as a whole, not retryable", async () => {
      const w = await wmsH();
      await w.wms.pushOrders([orderOut(1)], "k-reuse");
      const err = await w.wms.pushOrders([orderOut(2)], "k-reuse").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ kind: "http", status: 422, retryable: false });
      expect(w.sim.orders.applied.has(orderOut(2).id)).toBe(false);
    });

    it("answers an empty push with no results", async () => {
      const w = await wmsH();
      expect(await w.wms.pushOrders([], "k-empty")).toEqual([]);
    });
  });
}
