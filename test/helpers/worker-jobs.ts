// Builds a schedule model and writes the reconciler's jobs for it (desiredJobs → agendaJobs
// documents as apply writes them, but with nextRunAt null: only triggers and explicit runs happen).
import { type Db, ObjectId } from "mongodb";
import { jobIdHex, specFields } from "../../src/jobs/document.js";
import type { DesiredJob } from "../../src/jobs/types.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import type { CartModel, ConnectionSpec, Frequency, MerchantModel } from "../../src/schedule/model.js";

export const auto = (windowMs = 200, maxBatch = 500): Frequency => ({
  kind: "automatic",
  windowMs,
  maxBatch,
});
export const every5m: Frequency = { kind: "every", ms: 300_000, text: "5m" };
const pos = { file: "t.yaml", line: 1, column: 1 };

export function cart(
  id: string,
  merchantId: string,
  services: Partial<CartModel["services"]> = {},
  connection?: ConnectionSpec,
): CartModel {
  return {
    id,
    merchantId,
    suspended: false,
    services: { orderDownload: every5m, shipmentUpload: auto(), inventoryUpload: auto(), ...services },
    connection,
    source: pos,
  };
}

export function merchant(
  id: string,
  carts: CartModel[],
  services: Partial<MerchantModel["services"]> = {},
  connection?: ConnectionSpec,
): MerchantModel {
  return {
    id,
    timezone: "UTC",
    suspended: false,
    cleanupRunsPerDay: 2,
    services: { orderDelivery: auto(), shippingConfirmations: every5m, inventory: every5m, ...services },
    connection,
    carts,
    source: pos,
  };
}

export async function installJobs(db: Db, merchants: MerchantModel[]): Promise<Map<string, DesiredJob>> {
  const jobs = desiredJobs({ merchants, documents: 1 });
  const col = db.collection("agendaJobs");
  for (const j of jobs) {
    await col.updateOne(
      { _id: new ObjectId(jobIdHex(j.key)) },
      { $set: { ...specFields(j, "test"), nextRunAt: null, lockedAt: null } },
      { upsert: true },
    );
  }
  return new Map(jobs.map((j) => [j.key, j]));
}

/**
 * Worker options for tests: quick polls and windows, leases of 30 s. A worker stalled for a few
 * seconds on a busy machine keeps its leases, so no other worker sends its batch again.
 */
export const FAST_WORKER = {
  processEvery: 300,
  windowMs: 200,
  runLeaseMs: 30_000,
  batchLeaseMs: 30_000,
  lockLifetime: 60_000,
};

/**
 * FAST_WORKER with short leases, for tests that need a killed worker's batch taken over within
 * seconds. A stall of a second or two can lose a lease: never for exactly-once claims between
 * live workers.
 */
export const CRASH_WORKER = {
  ...FAST_WORKER,
  runLeaseMs: 3_000,
  batchLeaseMs: 3_000,
  lockLifetime: 5_000,
};

/** An order as a cart gives it (docs/connector-protocol.md), for the fake hub's carts. */
export const order = (cartId: string, externalId: string) => ({
  externalId,
  cartId,
  lines: [{ sku: "SKU-1", qty: 1 }],
  shipTo: { name: "Buyer", country: "FR" },
  placedAt: "2024-03-01T10:00:00.000Z",
});
