// One handler per service (and cleanup); each returns a small report for logs and `run`.
import type { JobService, JobSpec } from "../../jobs/types.js";
import type { RuntimeContext } from "../context.js";
import { runCleanup } from "./cleanup.js";
import { runInventory, runOrderDownload, runShippingConfirmations } from "./downloads.js";
import { runPush } from "./push-services.js";

export type RunReport = { more?: boolean };
export type Handler = (ctx: RuntimeContext, spec: JobSpec, startedAt: Date) => Promise<RunReport>;

export const HANDLERS: Record<JobService, Handler> = {
  orderDownload: runOrderDownload,
  orderDelivery: runPush,
  shippingConfirmations: runShippingConfirmations,
  shipmentUpload: runPush,
  inventory: runInventory,
  inventoryUpload: runPush,
  cleanup: runCleanup,
};
