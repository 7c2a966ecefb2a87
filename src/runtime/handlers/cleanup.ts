// The merchant's cleanup run: every Automatic service of the merchant runs now, which retries
// each failed record (a run takes pending and failed records it did not itself attempt).
import type { RuntimeContext } from "../context.js";
import { findSpecs, type ServiceSpec } from "../jobs.js";
import { triggerAll } from "../trigger.js";

export async function runCleanup(
  ctx: RuntimeContext,
  spec: ServiceSpec,
): Promise<{ triggered: string[]; more?: boolean }> {
  const specs = await findSpecs(ctx.db, {
    merchantId: spec.merchantId,
    service: ["orderDelivery", "shipmentUpload", "inventoryUpload"],
    automaticOnly: true,
  });
  return { triggered: await triggerAll(ctx, specs, 1) };
}
