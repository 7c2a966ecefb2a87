// Picks and configures the adapter a `connection` block names.
import type { ConnectionSpec } from "../schedule/model.js";
import { budgetKey } from "../schedule/rate-limit.js";
import { type Budgets, budgetedCart, budgetedWms, Limiter } from "./budget.js";
import { type Connection, type HttpConnection, parseConnection } from "./config.js";
import { HttpCart, HttpWms } from "./http.js";
import { DEFAULT_MAX_RESPONSE_BYTES, type HttpSettings } from "./http-request.js";
import type { CartConnector, WmsConnector } from "./port.js";
import { SandboxCart, type SandboxOptions, SandboxWms } from "./sandbox.js";
import type { SandboxJournal } from "./sandbox-journal.js";

export interface ConnectorContext {
  /** Who the connector serves; names the sandbox instance and error messages. */
  merchantId: string;
  cartId?: string;
  /** Where tokens are read from at call time (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Aborts in-flight requests (shutdown). */
  signal?: AbortSignal;
  /** Overrides for http transport limits (tests, bench). */
  http?: Partial<Pick<HttpSettings, "maxResponseBytes" | "rateLimitRetries" | "maxRetryWaitMs">>;
  /** Sandbox instances live here so their state outlives one run (default: one per process). */
  sandboxes?: Map<string, unknown>;
  /** Clock for the sandbox. */
  now?: () => number;
  /**
   * Where sandboxes keep their state (storeJournal: in the store, shared by every process, kept
   * across restarts). Such a sandbox's cart starts with SANDBOX_BACKLOG_MINUTES of orders waiting.
   */
  sandboxJournal?: SandboxJournal;
  /**
   * Where connections with a rateLimit keep their budget (storeBudgets: shared by every process);
   * without it, in this process's memory.
   */
  budgets?: Budgets;
}

/** A journaled cart's first pull brings the orders of this many minutes (the demo shows traffic at once). */
export const SANDBOX_BACKLOG_MINUTES = 5;

const processSandboxes = new Map<string, unknown>();
const journalSandboxes = new WeakMap<SandboxJournal, Map<string, unknown>>();

function where(ctx: ConnectorContext): string {
  return ctx.cartId
    ? `cart ${ctx.merchantId}/${ctx.cartId}: connection`
    : `merchant ${ctx.merchantId}: connection`;
}

function httpSettings(c: HttpConnection, ctx: ConnectorContext): HttpSettings {
  return {
    baseUrl: c.baseUrl,
    tokenEnv: c.tokenEnv,
    timeoutMs: c.timeoutMs,
    headers: c.headers,
    maxResponseBytes: ctx.http?.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    // A budgeted connection sends a 429 again through its budget (budget.ts), not here.
    rateLimitRetries: c.rateLimit ? 0 : (ctx.http?.rateLimitRetries ?? 1),
    maxRetryWaitMs: ctx.http?.maxRetryWaitMs ?? 2_000,
    env: ctx.env ?? process.env,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

function registry(ctx: ConnectorContext): Map<string, unknown> {
  const j = ctx.sandboxJournal;
  if (ctx.sandboxes || !j) return ctx.sandboxes ?? processSandboxes;
  const reg = journalSandboxes.get(j) ?? new Map<string, unknown>();
  journalSandboxes.set(j, reg);
  return reg;
}

/**
 * One sandbox per (role, merchant, cart, settings) and registry, so its state persists; with a
 * journal, its state is named by role, merchant and cart, so new settings continue it.
 */
function sandbox<T>(
  ctx: ConnectorContext,
  role: string,
  { rateLimit: _, ...c }: Connection,
  make: (o: SandboxOptions) => T,
): T {
  const reg = registry(ctx);
  const name =
    ctx.cartId === undefined ? `${role}:${ctx.merchantId}` : `${role}:${ctx.merchantId}:${ctx.cartId}`;
  const key = `${name}:${JSON.stringify(c)}`;
  let s = reg.get(key) as T | undefined;
  if (!s) {
    const j = ctx.sandboxJournal;
    s = make({
      ...c,
      ...(ctx.now ? { now: ctx.now } : {}),
      ...(j ? { journal: j, name, backlogMinutes: SANDBOX_BACKLOG_MINUTES } : {}),
    });
    reg.set(key, s);
  }
  return s;
}

export function createCartConnector(
  spec: ConnectionSpec | null | undefined,
  ctx: ConnectorContext,
): CartConnector {
  const c = parseConnection(spec, where(ctx));
  const cartId = ctx.cartId ?? "cart";
  const inner =
    c.type === "http"
      ? new HttpCart(httpSettings(c, ctx))
      : sandbox(ctx, "cart", c, (o) => new SandboxCart(cartId, o));
  return c.rateLimit ? budgetedCart(inner, limiter(spec as ConnectionSpec, c, ctx)) : inner;
}

export function createWmsConnector(
  spec: ConnectionSpec | null | undefined,
  ctx: ConnectorContext,
): WmsConnector {
  const c = parseConnection(spec, where(ctx));
  const inner =
    c.type === "http" ? new HttpWms(httpSettings(c, ctx)) : sandbox(ctx, "wms", c, (o) => new SandboxWms(o));
  return c.rateLimit ? budgetedWms(inner, limiter(spec as ConnectionSpec, c, ctx)) : inner;
}

/** The limiter of a connection with a rateLimit: its budget is named by budgetKey. */
function limiter(spec: ConnectionSpec, c: Connection, ctx: ConnectorContext): Limiter {
  const key = budgetKey(spec, { merchantId: ctx.merchantId, ...(ctx.cartId ? { cartId: ctx.cartId } : {}) });
  return new Limiter(key, c.rateLimit!, ctx.budgets, ctx.signal);
}

/** What the runs ask for: a connection block's connector for one cart, or for a merchant's WMS. */
export interface ConnectorFactory {
  cart(connection: ConnectionSpec | null, who: { merchantId: string; cartId: string }): CartConnector;
  wms(connection: ConnectionSpec | null, who: { merchantId: string }): WmsConnector;
}

/**
 * The connector factory the runtime takes: createCartConnector / createWmsConnector with `shared`
 * (env, signal, sandboxes, journal) and the job's merchant and cart. Throws ConnectorError
 * (kind "config") for a missing or invalid connection block, as they do.
 */
export function createConnectorFactory(
  shared: Omit<ConnectorContext, "merchantId" | "cartId"> = {},
): ConnectorFactory {
  return {
    cart: (connection, who) => createCartConnector(connection, { ...shared, ...who }),
    wms: (connection, who) => createWmsConnector(connection, { ...shared, ...who }),
  };
}
