// Builders for schedule models in unit tests (no YAML: the loader is tested on its own).
import {
  CART_SERVICES,
  type CartModel,
  type CartService,
  type Frequency,
  MERCHANT_SERVICES,
  type MerchantModel,
  type MerchantService,
} from "../../src/schedule/model.js";

export { rng } from "../helpers/rng.js";

const pos = { file: "schedules/test.yaml", line: 1, column: 1 };
export const AUTOMATIC: Frequency = { kind: "automatic", windowMs: 2000, maxBatch: 500 };
export const every = (text: string, ms: number): Frequency => ({ kind: "every", ms, text });

export function cart(id: string, merchantId: string, over: Partial<CartModel> = {}): CartModel {
  const services = Object.fromEntries(CART_SERVICES.map((s) => [s, every("10m", 600_000)])) as Record<
    CartService,
    Frequency
  >;
  return {
    id,
    merchantId,
    suspended: false,
    services,
    source: pos,
    connection: { type: "shopify" },
    ...over,
  };
}

export function merchant(id: string, over: Partial<MerchantModel> = {}): MerchantModel {
  const services = Object.fromEntries(MERCHANT_SERVICES.map((s) => [s, every("15m", 900_000)])) as Record<
    MerchantService,
    Frequency
  >;
  return {
    id,
    timezone: "UTC",
    suspended: false,
    cleanupRunsPerDay: 2,
    services,
    carts: [],
    source: pos,
    connection: { type: "wms" },
    ...over,
  };
}
