// The merchant's cleanup run: every Automatic service of the merchant runs now, which retries
// each failed record (a run takes pending and failed records it did not itself attempt).
import type { RuntimeContext } from "../context.js";
import { JOB_PREFIX, JOBS, type ServiceSpec } from "../jobs.js";
import { triggerAll } from "../trigger.js";

export async function runCleanup(
  ctx: RuntimeContext,
  spec: ServiceSpec,
): Promise<{ triggered: string[]; more?: boolean }> {
  const docs = await ctx.db
    .collection<{ disabled?: boolean; data: { schedsync: ServiceSpec } }>(JOBS)
    .find({
      name: { $in: ["orderDelivery", "shipmentUpload", "inventoryUpload"].map((s) => `${JOB_PREFIX}${s}`) },
      "data.schedsync.merchantId": spec.merchantId,
      "data.schedsync.schedule.kind": "automatic",
    })
    .toArray();
  const specs = docs.map((d) => ({
    ...d.data.schedsync,
    disabled: d.data.schedsync.disabled || d.disabled === true,
  }));
  return { triggered: await triggerAll(ctx, specs, 1) };
}
