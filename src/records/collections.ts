// Collection names and the indexes the records module relies on. FerretDB 1.24 has plain
// (compound) unique indexes but no partial ones, so uniqueness never depends on a filter.
import type { Collection, Db } from "mongodb";
import type { BatchDoc, DeliveryDoc, InventoryDoc, OrderDoc, ShipmentDoc } from "./types.js";

export const ORDERS = "orders";
export const SHIPMENTS = "shipments";
export const INVENTORY = "inventory";
export const DELIVERIES = "deliveries";
export const BATCHES = "delivery_batches";
/** Delivered deliveries past the retention (archive.ts): out of the hot path, still remembered. */
export const ARCHIVE = "deliveries_archive";
export const CURSORS = "cursors";

export interface CursorDoc {
  _id: string;
  cursor: string | null;
  updatedAt: Date;
}

export function cols(db: Db) {
  return {
    orders: db.collection<OrderDoc>(ORDERS),
    shipments: db.collection<ShipmentDoc>(SHIPMENTS),
    inventory: db.collection<InventoryDoc>(INVENTORY),
    deliveries: db.collection<DeliveryDoc>(DELIVERIES),
    batches: db.collection<BatchDoc>(BATCHES),
    archive: db.collection<DeliveryDoc>(ARCHIVE),
    cursors: db.collection<CursorDoc>(CURSORS),
  };
}

const ensured = new WeakSet<Db>();

export async function ensureRecordIndexes(db: Db): Promise<void> {
  if (ensured.has(db)) return;
  const c = cols(db);
  await Promise.all([
    c.orders.createIndex({ merchantId: 1, cartId: 1, externalId: 1 }, { unique: true }),
    c.orders.createIndex({ merchantId: 1, status: 1 }),
    c.shipments.createIndex({ merchantId: 1, externalId: 1 }, { unique: true }),
    c.inventory.createIndex({ merchantId: 1, sku: 1 }, { unique: true }),
    c.deliveries.createIndex({ recordId: 1, service: 1, cartId: 1 }, { unique: true }),
    c.deliveries.createIndex({ service: 1, merchantId: 1, cartId: 1, state: 1, createdAt: 1 }),
    c.deliveries.createIndex({ batchId: 1 }),
    c.deliveries.createIndex({ state: 1, merchantId: 1 }),
    c.deliveries.createIndex({ state: 1, deliveredAt: 1 }),
    c.archive.createIndex({ recordId: 1 }),
    c.archive.createIndex({ merchantId: 1, service: 1 }),
    c.batches.createIndex({ service: 1, merchantId: 1, cartId: 1, until: 1 }),
  ]);
  ensured.add(db);
}

export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[] };
  if (e.code === 11000) return true;
  return !!e.writeErrors?.length && e.writeErrors.every((w) => w.code === 11000);
}

/** Inserts docs, ignoring the ones whose unique key exists; returns the ones inserted. */
export async function insertNew<T extends { _id: string }>(col: Collection<T>, docs: T[]): Promise<T[]> {
  if (docs.length === 0) return [];
  try {
    // biome-ignore lint/suspicious/noExplicitAny: the driver's OptionalUnlessRequiredId is not inferable here
    await col.insertMany(docs as any[], { ordered: false });
    return docs;
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
    if (!isDuplicateKey(err) || !writeErrors) throw err;
    const failed = new Set(writeErrors.map((w) => w.index));
    return docs.filter((_, i) => !failed.has(i));
  }
}
