// Carts' order webhooks: POST /hooks/carts/<merchant>/<cart> runs that cart's orderDownload at
// once (coalesced), so an order reaches the WMS in seconds instead of at the next interval.
// The checks are the GitHub webhook's (webhook.ts: body cap, constant-time HMAC, replay cache),
// plus a signed timestamp: a captured request is useless once it is older than the window.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "mongodb";
import { findSpecs, loadSpec } from "../jobs/repository.js";
import type { JobSpec } from "../jobs/types.js";
import type { Logger } from "../platform/log.js";
import { jobKey } from "../reconcile/desired.js";
import { DeliveryCache, HttpError, MAX_BODY_BYTES, readBody, verifySignature } from "./webhook.js";

export const CART_HOOK_PREFIX = "/hooks/carts/";
export const SIGNATURE_HEADER = "x-schedsync-signature";
export const TIMESTAMP_HEADER = "x-schedsync-timestamp";
export const DELIVERY_HEADER = "x-schedsync-delivery";
/** How far a request's timestamp may be from our clock: Stripe's default tolerance, 5 minutes. */
export const TIMESTAMP_TOLERANCE_S = 300;
/** Webhooks within this long of the first share one download (ms). */
export const CART_HOOK_WINDOW_MS = 1_000;

/** Runs the cart's orderDownload soon (runtime/trigger.ts triggerOnDemand); false when it is off. */
export type TriggerDownload = (spec: JobSpec) => Promise<boolean>;

export interface CartHookOptions {
  db: Db;
  log: Logger;
  env: NodeJS.ProcessEnv;
  trigger: TriggerDownload;
  maxBodyBytes?: number;
}

/** The bytes signed: `<timestamp>.<raw body>` (the timestamp is signed so it cannot be moved). */
export function signedPayload(timestamp: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`), body]);
}

/** The env var name holding the cart's webhook secret (connection.webhook.secretEnv), if any. */
export function secretEnvOf(spec: JobSpec): string | undefined {
  const hook = spec.connection?.webhook as { secretEnv?: unknown } | undefined;
  return typeof hook?.secretEnv === "string" ? hook.secretEnv : undefined;
}

/** `<merchant>/<cart>` of a cart hook path, or undefined for any other path. */
export function cartOfPath(path: string): { merchant: string; cart: string } | undefined {
  if (!path.startsWith(CART_HOOK_PREFIX)) return undefined;
  const m = /^([a-z0-9-]{1,63})\/([a-z0-9-]{1,63})$/.exec(path.slice(CART_HOOK_PREFIX.length));
  return m ? { merchant: m[1] as string, cart: m[2] as string } : undefined;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(`${JSON.stringify(body)}\n`);
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return typeof v === "string" ? v : "";
}

/**
 * The handler of POST /hooks/carts/<merchant>/<cart>. Answers: 202 queued; 200 ignored (replayed
 * delivery, or the download is off/suspended); 400 no delivery id or timestamp; 401 bad signature
 * or timestamp outside ±TIMESTAMP_TOLERANCE_S; 403 no secret configured; 404 unknown merchant or
 * cart (no such path); 405 not POST; 413 body over maxBodyBytes (default 1 MiB).
 */
export function cartHookHandler(o: CartHookOptions) {
  const deliveries = new DeliveryCache();
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const where = cartOfPath(path);
    if (!where) throw new HttpError(404, "not found");
    if (req.method !== "POST") throw new HttpError(405, "POST only");
    const key = jobKey(where.merchant, where.cart, "orderDownload");
    const spec = await loadSpec(o.db, key);
    if (!spec) throw new HttpError(404, `no cart ${where.merchant}/${where.cart}`);
    const secretEnv = secretEnvOf(spec);
    const secret = secretEnv ? (o.env[secretEnv] ?? "") : "";
    if (!secret) throw new HttpError(403, "no webhook secret configured for this cart");
    const body = await readBody(req, o.maxBodyBytes ?? MAX_BODY_BYTES);
    const timestamp = header(req, TIMESTAMP_HEADER);
    const delivery = header(req, DELIVERY_HEADER);
    if (!/^\d{1,12}$/.test(timestamp) || !delivery || delivery.length > 200)
      throw new HttpError(400, `${TIMESTAMP_HEADER} (unix seconds) and ${DELIVERY_HEADER} are required`);
    if (!verifySignature(secret, signedPayload(timestamp, body), header(req, SIGNATURE_HEADER))) {
      o.log.warn({ cart: `${where.merchant}/${where.cart}`, delivery }, "cart webhook with a bad signature");
      throw new HttpError(401, "bad signature");
    }
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_S)
      throw new HttpError(401, "timestamp outside the accepted window");
    if (!deliveries.add(`${key}\0${delivery}`)) return reply(res, 200, { ignored: "replayed delivery" });
    if (!(await o.trigger(spec))) return reply(res, 200, { ignored: "orderDownload is off or suspended" });
    o.log.info({ key, delivery }, "cart webhook: download queued");
    return reply(res, 202, { queued: key });
  };
}

/** Carts whose webhook names a secret variable that is unset: a warning each, by cart and name. */
export async function warnUnsetCartSecrets(db: Db, env: NodeJS.ProcessEnv, log: Logger): Promise<string[]> {
  const carts: string[] = [];
  for (const spec of await findSpecs(db, { service: "orderDownload" })) {
    const name = secretEnvOf(spec);
    if (!name || env[name]) continue;
    const cart = `${spec.merchantId}/${spec.cartId}`;
    carts.push(cart);
    log.warn({ cart, secretEnv: name }, "cart webhook refused: its secret variable is not set");
  }
  return carts;
}
