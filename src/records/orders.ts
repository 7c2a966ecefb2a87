// Orders: downloaded from a cart, delivered to the merchant's WMS.
import type { Db } from "mongodb";
import { cols, insertNew } from "./collections.js";
import { orderId } from "./ids.js";
import type { Order } from "./protocol.js";
import { enqueue } from "./queue.js";
import type { OrderDoc } from "./types.js";

/**
 * Stores orders from a cart (as parsed by the connector, keyed by externalId) and queues them
 * for the WMS. Downloading the same order again changes nothing. Returns the ids of orders not
 * queued before.
 */
export async function storeOrders(
  db: Db,
  merchantId: string,
  cartId: string,
  orders: Order[],
  now = new Date(),
): Promise<string[]> {
  const docs: OrderDoc[] = orders.map((o) => ({
    _id: orderId(merchantId, cartId, o.externalId),
    kind: "order",
    merchantId,
    cartId,
    externalId: o.externalId,
    status: "new",
    payload: o,
    createdAt: now,
    updatedAt: now,
  }));
  await insertNew(cols(db).orders, docs);
  // Queue every order given, not only the new ones: a crash between the two writes must not
  // leave an order that is stored but never delivered.
  const ids = [...new Set(docs.map((d) => d._id))];
  return enqueue(db, { service: "orderDelivery", merchantId, cartId: null }, "order", ids, now);
}

export async function setOrderStatus(
  db: Db,
  ids: string[],
  from: OrderDoc["status"][],
  to: OrderDoc["status"],
  lastError?: string,
): Promise<void> {
  if (ids.length === 0) return;
  const set: Partial<OrderDoc> = { status: to, updatedAt: new Date() };
  if (lastError !== undefined) set.lastError = lastError;
  await cols(db).orders.updateMany({ _id: { $in: ids }, status: { $in: from } }, { $set: set });
}
