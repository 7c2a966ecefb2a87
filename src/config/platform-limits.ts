// Cart platforms' published API limits, and the minimum interval between runs schedsync derives from
// them for connections tagged with the platform (Policy's platformLimits, on unless turned off).
import { CART_SERVICES, type ServiceName } from "../schedule/model.js";

export interface PlatformLimit {
  /** The connection tag that selects it. */
  tag: string;
  /** What the limit covers, as the vendor names it. */
  operation: string;
  /** Services whose runs call that operation. */
  services: readonly ServiceName[];
  /** Sustained rate (requests per second) and burst, as published. */
  requestsPerSecond: number;
  burst: number;
  /** The vendor's page that documents the number. */
  source: string;
}

/**
 * Calls a run makes on the limited operation that the interval must leave room for: one page and one
 * more (a next page or a retry). A run every CALLS_PER_RUN / rate seconds stays within the sustained
 * rate without spending the burst.
 */
export const CALLS_PER_RUN = 2;

export const PLATFORM_LIMITS: readonly PlatformLimit[] = [
  {
    tag: "shopify",
    operation: "REST Admin API (standard plan)",
    services: CART_SERVICES,
    // 2 requests/s on the standard plan (4 Advanced, 20 Plus), leaky bucket of 40 requests.
    requestsPerSecond: 2,
    burst: 40,
    source: "https://shopify.dev/docs/api/admin-rest/usage/rate-limits",
  },
  {
    tag: "amazon-sp-api",
    operation: "Orders API getOrders",
    services: ["orderDownload"],
    // getOrders usage plan: rate 0.0167 requests/s (one a minute), burst 20.
    requestsPerSecond: 0.0167,
    burst: 20,
    source: "https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorders",
  },
];

/** The derived minimum interval in ms: CALLS_PER_RUN calls at the sustained rate, whole minutes, ≥ 1m. */
export function platformMinIntervalMs(limit: PlatformLimit): number {
  const ms = (CALLS_PER_RUN / limit.requestsPerSecond) * 1000;
  return Math.max(60_000, Math.ceil(ms / 60_000) * 60_000);
}
