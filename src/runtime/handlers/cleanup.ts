// The merchant's cleanup run: every Automatic service of the merchant runs now, which retries
// each failed record (a run takes pending and failed records it did not itself attempt).

import { findSpecs } from "../../jobs/repository.js";
import type { JobSpec } from "../../jobs/types.js";
import type { RuntimeContext } from "../context.js";
import { triggerAll } from "../trigger.js";

export async function runCleanup(
  ctx: RuntimeContext,
  spec: JobSpec,
): Promise<{ triggered: string[]; more?: boolean }> {
  const specs = await findSpecs(ctx.db, {
    merchantId: spec.merchantId,
    service: ["orderDelivery", "shipmentUpload", "inventoryUpload"],
    automaticOnly: true,
  });
  return { triggered: await triggerAll(ctx, specs, 1) };
}
