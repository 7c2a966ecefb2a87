// Well-formed protocol records for tests that store records directly (docs/connector-protocol.md).
import type { Order, Shipment } from "../../src/records/index.js";

/** An order with one line, as a cart's answer parses to. */
export const anOrder = (externalId: string, cartId = "cart", extra: Partial<Order> = {}): Order => ({
  externalId,
  cartId,
  lines: [{ sku: "SKU-1", qty: 1 }],
  shipTo: { name: "Buyer", city: "Lyon", country: "FR" },
  placedAt: "2024-03-01T10:00:00.000Z",
  ...extra,
});

/** Tracking for the order `orderId`, as a WMS's answer parses to. */
export const aShipment = (
  id: string,
  orderId: string,
): { externalId: string; orderId: string; payload: Shipment } => ({
  externalId: id,
  orderId,
  payload: {
    id,
    orderId,
    orderExternalId: orderId.split(":").at(-1) ?? orderId,
    carrier: "UPS",
    trackingNumber: id,
    shippedAt: "2024-03-02T08:00:00.000Z",
  },
});
