// Inventory levels: picked up from the WMS, uploaded to every cart of the merchant. One record
// per (merchant, sku); the newest level wins and only a changed quantity is sent again.
import type { Db } from "mongodb";
import { cols, isDuplicateKey } from "./collections.js";
import { inventoryId } from "./ids.js";
import { requeueChanged } from "./queue.js";
import type { InventoryDoc } from "./types.js";

export interface IncomingLevel {
  sku: string;
  quantity: number;
  /** When the WMS measured it; defaults to the time of the pull. */
  asOf?: Date;
  /** The WMS's warehouse, when it names one. */
  warehouse?: string;
}

/** Stores levels and queues the changed ones for the given carts; returns the changed record ids. */
export async function storeLevels(
  db: Db,
  merchantId: string,
  cartIds: string[],
  levels: IncomingLevel[],
  now = new Date(),
): Promise<string[]> {
  const { inventory } = cols(db);
  const changed: string[] = [];
  for (const level of newestPerSku(levels)) {
    const _id = inventoryId(merchantId, level.sku);
    const asOf = level.asOf ?? now;
    let before: InventoryDoc | null;
    try {
      // Matches only an older level; when a newer one is stored the upsert collides on _id.
      before = await inventory.findOneAndUpdate(
        { _id, asOf: { $lt: asOf } },
        {
          $set: { quantity: level.quantity, asOf, ...warehouseSet(level), updatedAt: now },
          $setOnInsert: { kind: "inventory", merchantId, sku: level.sku, createdAt: now },
          ...(level.warehouse === undefined ? { $unset: { warehouse: "" as const } } : {}),
        },
        { upsert: true, returnDocument: "before" },
      );
    } catch (err) {
      if (isDuplicateKey(err)) continue;
      throw err;
    }
    if (!before || before.quantity !== level.quantity) changed.push(_id);
  }
  for (const cartId of cartIds) {
    await requeueChanged(db, { service: "inventoryUpload", merchantId, cartId }, "inventory", changed, now);
  }
  return changed;
}

/** The newest level says the warehouse; one without it unsets the stored one. */
function warehouseSet(level: IncomingLevel): { warehouse?: string } {
  return level.warehouse === undefined ? {} : { warehouse: level.warehouse };
}

function newestPerSku(levels: IncomingLevel[]): IncomingLevel[] {
  const best = new Map<string, IncomingLevel>();
  for (const l of levels) {
    const cur = best.get(l.sku);
    if (!cur || (l.asOf?.getTime() ?? 0) >= (cur.asOf?.getTime() ?? 0)) best.set(l.sku, l);
  }
  return [...best.values()];
}
