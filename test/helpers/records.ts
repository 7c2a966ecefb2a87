// Well-formed protocol records for tests that store records directly (docs/connector-protocol.md).
import type { claimBatch, Order, Scope, Shipment } from "../../src/records/index.js";

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

/** A merchant's order delivery (to its WMS) as claims and counts scope it. */
export const wmsScope = (merchantId: string): Scope => ({
  service: "orderDelivery",
  merchantId,
  cartId: null,
});

/** Claim options of one worker: a 1-minute lease, up to 100 records, its run started now. */
export const claimOptions = (
  owner: string,
  extra: Partial<Parameters<typeof claimBatch>[2]> = {},
): Parameters<typeof claimBatch>[2] => ({
  owner,
  leaseMs: 60_000,
  max: 100,
  runStartedAt: new Date(),
  ...extra,
});
