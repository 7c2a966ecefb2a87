// A connection's API budget (`connection.rateLimit`): its numbers, and which budget it is. Read by
// the loader (errors and the calls-per-hour warning), the connectors (the store-backed token
// bucket) and simulate, so all three agree on one key per remote account.
import { parseDuration } from "../platform/duration.js";
import type { ConnectionSpec } from "./model.js";

export interface RateLimit {
  /** Tokens that come back every perMs. */
  requests: number;
  perMs: number;
  /** Most tokens kept (defaults to requests). */
  burst: number;
}

export type RateLimitResult =
  | { ok: true; limit: RateLimit }
  | { ok: false; field: "requests" | "per" | "burst" | null; message: string };

/** The shortest `per`: a bucket refilled more often than each second is a busy loop in disguise. */
export const MIN_PER_MS = 1_000;

const count = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 1_000_000;

/** Reads a rateLimit block; the message names the field and what is allowed. */
export function parseRateLimit(v: unknown): RateLimitResult {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    return { ok: false, field: null, message: "rateLimit must be a mapping { requests, per, burst }" };
  const o = v as Record<string, unknown>;
  if (!count(o.requests))
    return {
      ok: false,
      field: "requests",
      message: `rateLimit.requests must be a whole number from 1 to 1000000, got ${JSON.stringify(o.requests)}`,
    };
  const per = parseDuration(o.per);
  if (!per.ok) return { ok: false, field: "per", message: `rateLimit.per: ${per.message}` };
  if (per.ms < MIN_PER_MS)
    return { ok: false, field: "per", message: `rateLimit.per must be at least 1s, got "${String(o.per)}"` };
  if (o.burst !== undefined && !count(o.burst))
    return {
      ok: false,
      field: "burst",
      message: `rateLimit.burst must be a whole number from 1 to 1000000, got ${JSON.stringify(o.burst)}`,
    };
  const requests = o.requests as number;
  return { ok: true, limit: { requests, perMs: per.ms, burst: (o.burst as number | undefined) ?? requests } };
}

/**
 * Which budget a connection draws on: one per remote account. http: the base URL (origin and path,
 * no query) and the NAME of the token variable, so every service of a cart and every process share
 * it, and two carts on the same account and token share it too (Shopify counts per app and store,
 * i.e. per access token). sandbox: its owner (the merchant's WMS, or the cart).
 */
export function budgetKey(
  spec: ConnectionSpec,
  owner: { merchantId: string; cartId?: string | null },
): string {
  if (spec.type === "http" && typeof spec.baseUrl === "string") {
    let base = spec.baseUrl;
    try {
      const u = new URL(spec.baseUrl);
      base = `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
    } catch {
      // An unreadable URL fails the connection anyway; keep the text.
    }
    return `http ${base} ${String(spec.tokenEnv)}`;
  }
  return owner.cartId ? `sandbox ${owner.merchantId}/${owner.cartId}` : `sandbox ${owner.merchantId}/wms`;
}

/** The sustained budget in calls per hour (the burst is spent once, not every hour). */
export function callsPerHour(limit: RateLimit): number {
  return (limit.requests * 3_600_000) / limit.perMs;
}
