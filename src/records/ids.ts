// Readable, deterministic ids: the same order or tracking downloaded twice gets the same id.
import type { PushService } from "./types.js";

export const orderId = (merchantId: string, cartId: string, externalId: string) =>
  `order:${merchantId}:${cartId}:${externalId}`;
export const shipmentId = (merchantId: string, externalId: string) => `ship:${merchantId}:${externalId}`;
export const inventoryId = (merchantId: string, sku: string) => `inv:${merchantId}:${sku}`;

/** One delivery per (record, destination). */
export const deliveryId = (recordId: string, service: PushService, cartId: string | null) =>
  `${recordId}>${service}:${cartId ?? "wms"}`;

export const isDeliveryId = (id: string) => id.includes(">");
