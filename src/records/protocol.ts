// The records as docs/connector-protocol.md defines them. The connectors parse a source's answer
// into these types, the records layer stores them as they are, and the pushes send them back out.

export interface OrderLine {
  sku: string;
  qty: number;
}

/** Every field is optional in the protocol; an order without `shipTo` has the empty address. */
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
export interface Order {
  externalId: string;
  cartId: string;
  lines: OrderLine[];
  shipTo: Address;
  /** ISO 8601. */
  placedAt: string;
}

/** Tracking as the WMS gives it. `id` is the WMS's shipment id, unique per WMS. */
export interface Shipment {
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

/** A stock level as the WMS gives it. */
export interface InventoryLevel {
  sku: string;
  available: number;
  warehouse?: string;
  /** ISO 8601: when the WMS measured it. */
  asOf: string;
}

/** An order as the hub gives it to the WMS; `id` is the hub's record id (echoed in results). */
export interface OrderOut extends Order {
  id: string;
}

/** Tracking as the hub gives it to the cart that owns the order; `id` is the hub's record id. */
export interface ShipmentOut {
  id: string;
  orderExternalId: string;
  carrier: string;
  trackingNumber: string;
  shippedAt: string;
}

export interface InventoryOut extends InventoryLevel {
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
