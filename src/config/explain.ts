// `explain`'s lookup: the merchant or cart a "<merchant>[/<cart>]" reference names.
import type { CartModel, MerchantModel, ScheduleModel } from "../schedule/model.js";

export interface ExplainTarget {
  merchant: MerchantModel;
  cart?: CartModel;
}

/** Finds "acme" or "acme/shopify-us"; the error names what exists. */
export function findTarget(model: ScheduleModel, ref: string): ExplainTarget | string {
  const [merchantId = "", cartId, extra] = ref.split("/");
  if (extra !== undefined) return `"${ref}" is not <merchant> or <merchant>/<cart>`;
  const merchant = model.merchants.find((m) => m.id === merchantId);
  const known = (ids: string[]) => (ids.length ? ids.sort().join(", ") : "none");
  if (!merchant) return `no merchant "${merchantId}" (merchants: ${known(model.merchants.map((m) => m.id))})`;
  if (cartId === undefined) return { merchant };
  const cart = merchant.carts.find((c) => c.id === cartId);
  if (!cart)
    return `merchant "${merchant.id}" has no cart "${cartId}" (carts: ${known(merchant.carts.map((c) => c.id))})`;
  return { merchant, cart };
}
