// Shipments (tracking): picked up from the WMS, uploaded to the cart that owns the order.
import type { Db } from "mongodb";
import { cols, insertNew } from "./collections.js";
import { shipmentId } from "./ids.js";
import { setOrderStatus } from "./orders.js";
import type { Shipment } from "./protocol.js";
import { enqueue } from "./queue.js";
import type { ShipmentDoc } from "./types.js";

export interface IncomingShipment {
  /** The WMS's shipment id (`payload.id`). */
  externalId: string;
  /** The hub order id the WMS was given with the order. */
  orderId: string;
  /** The tracking as the connector parsed it. */
  payload: Shipment;
}

export interface StoredShipments {
  /** Shipments queued for a cart for the first time. */
  queued: string[];
  /** Carts that got new tracking. */
  cartIds: string[];
  /** Tracking for orders the hub does not know; kept but sent nowhere. */
  orphans: string[];
}

export async function storeShipments(
  db: Db,
  merchantId: string,
  shipments: IncomingShipment[],
  now = new Date(),
): Promise<StoredShipments> {
  const c = cols(db);
  const orderIds = [...new Set(shipments.map((s) => s.orderId))];
  const orders = await c.orders
    .find({ _id: { $in: orderIds }, merchantId }, { projection: { cartId: 1 } })
    .toArray();
  const owner = new Map(orders.map((o) => [o._id, o.cartId]));
  const docs: ShipmentDoc[] = shipments.map((s) => ({
    _id: shipmentId(merchantId, s.externalId),
    kind: "shipment",
    merchantId,
    externalId: s.externalId,
    orderId: s.orderId,
    cartId: owner.get(s.orderId) ?? null,
    payload: s.payload,
    createdAt: now,
    updatedAt: now,
  }));
  await insertNew(c.shipments, docs);
  // The stored shipment is authoritative for its cart (a re-download may not know it better).
  const stored = await c.shipments.find({ _id: { $in: docs.map((d) => d._id) } }).toArray();
  const byCart = new Map<string, string[]>();
  const orphans: string[] = [];
  for (const s of stored) {
    if (!s.cartId) orphans.push(s._id);
    else byCart.set(s.cartId, [...(byCart.get(s.cartId) ?? []), s._id]);
  }
  const queued: string[] = [];
  for (const [cartId, ids] of byCart) {
    queued.push(
      ...(await enqueue(db, { service: "shipmentUpload", merchantId, cartId }, "shipment", ids, now)),
    );
  }
  await setOrderStatus(
    db,
    stored.filter((s) => s.cartId).map((s) => s.orderId),
    ["new", "at_wms", "error"],
    "shipped",
  );
  return { queued, cartIds: [...byCart.keys()], orphans };
}
