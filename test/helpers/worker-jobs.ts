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

/** Worker options for tests: short leases, so a killed worker's batch is taken over within seconds. */
export const FAST_WORKER = {
  processEvery: 300,
  windowMs: 200,
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
