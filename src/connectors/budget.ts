// API budgets per connection (connection.rateLimit): a decorator of CartConnector and WmsConnector
// that takes one token from the connection's budget before each request (a pull page, a push
// batch). The bucket lives in a BudgetStore (the store's api_budgets, shared by every process; or
// this process's memory when there is no store). A request waits for its token at most maxWaitMs;
// a longer wait ends the call with a BudgetWaitError (retryable, retryAfterMs): nothing was sent.
// A 429 pauses the budget until Retry-After and halves its pace (token-bucket.ts), then the request
// is sent again through the budget, at most RATE_LIMIT_RETRIES times (pulls are reads and pushes
// carry their Idempotency-Key, so sending again is safe).
import type { Db } from "mongodb";
import { type BudgetStore, storeBudgets } from "../records/budgets.js";
import type { RateLimit } from "../schedule/rate-limit.js";
import {
  type CartConnector,
  ConnectorError,
  type InventoryOut,
  type OrderOut,
  type RecordResult,
  type ShipmentOut,
  type WmsConnector,
} from "./port.js";
import { type BucketLimit, type BucketState, type Grant, penalize, take } from "./token-bucket.js";

/** What budgets report (src/platform/metrics.ts); labels: the budget's key. */
export interface BudgetHooks {
  /** A request waited for its token this long. */
  budgetWaited?(budget: string, seconds: number): void;
  /** The remote answered 429. */
  budgetRateLimited?(budget: string): void;
  /** A request was not sent: its token was further away than the wait allowed. */
  budgetDeferred?(budget: string): void;
}

export interface Budgets {
  store: BudgetStore<BucketState>;
  hooks?: BudgetHooks;
  /** The longest wait for a token, ms (default DEFAULT_MAX_WAIT_MS, and never less than two tokens' gap). */
  maxWaitMs?: number;
  now?: () => number;
}

/** Default bound of one request's wait for its token. */
export const DEFAULT_MAX_WAIT_MS = 30_000;
/** 429s sent again through the budget within one call. */
export const RATE_LIMIT_RETRIES = 2;

/** A request not sent because the budget's next token is too far away: retry after retryAfterMs. */
export class BudgetWaitError extends ConnectorError {
  readonly budget: string;
  constructor(budget: string, waitMs: number, maxWaitMs: number) {
    super(
      "rate_limited",
      `API budget ${budget}: the next token is ${waitMs} ms away (waits up to ${maxWaitMs} ms); not sent`,
      { retryable: true, retryAfterMs: waitMs },
    );
    this.name = "BudgetWaitError";
    this.budget = budget;
  }
}

/** Budgets in this process's memory: for commands without a store (per process only). */
export function memoryBudgets(): BudgetStore<BucketState> {
  const states = new Map<string, BucketState>();
  return {
    read: async (key) => states.get(key),
    update: async (key, change) => {
      const { state, result } = change(states.get(key));
      if (state) states.set(key, state);
      return result;
    },
  };
}

const processBudgets = memoryBudgets();

/** The budgets of every process on this store (api_budgets), reporting to hooks. */
export function budgetsIn(db: Db, hooks?: BudgetHooks): Budgets {
  return { store: storeBudgets<BucketState>(db), ...(hooks ? { hooks } : {}) };
}

/** Takes a token (waiting for it) and sends `send`; 429s pause the budget and are sent again. */
export class Limiter {
  private readonly limit: BucketLimit;
  private readonly maxWaitMs: number;
  private readonly store: BudgetStore<BucketState>;
  private readonly now: () => number;

  constructor(
    readonly key: string,
    rate: RateLimit,
    private readonly budgets: Budgets | undefined,
    private readonly signal?: AbortSignal,
  ) {
    this.limit = { ratePerMs: rate.requests / rate.perMs, burst: rate.burst };
    this.maxWaitMs = Math.max(budgets?.maxWaitMs ?? DEFAULT_MAX_WAIT_MS, (2 * rate.perMs) / rate.requests);
    this.store = budgets?.store ?? processBudgets;
    this.now = budgets?.now ?? Date.now;
  }

  async call<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.token();
      try {
        return await send();
      } catch (err) {
        if (!(err instanceof ConnectorError) || err.status !== 429) throw err;
        this.budgets?.hooks?.budgetRateLimited?.(this.key);
        const at = this.now();
        const retryAfterMs = err.retryAfterMs ?? 1_000;
        await this.store.update(this.key, (s) => ({
          state: penalize(s, this.limit, at, retryAfterMs),
          result: undefined,
        }));
        if (attempt >= RATE_LIMIT_RETRIES) throw err;
      }
    }
  }

  private async token(): Promise<void> {
    const at = this.now();
    const grant = await this.store.update<Grant>(this.key, (s) => {
      const g = take(s, this.limit, at, this.maxWaitMs);
      return { ...(g.ok ? { state: g.state } : {}), result: g };
    });
    if (!grant.ok) {
      this.budgets?.hooks?.budgetDeferred?.(this.key);
      throw new BudgetWaitError(this.key, grant.waitMs, this.maxWaitMs);
    }
    if (grant.waitMs <= 0) return;
    this.budgets?.hooks?.budgetWaited?.(this.key, grant.waitMs / 1000);
    await sleep(grant.waitMs, this.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ConnectorError("network", "aborted while waiting for a token"));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        reject(new ConnectorError("network", "aborted while waiting for a token"));
      },
      { once: true },
    );
  });
}

/** An empty batch sends no request, so it takes no token. */
function push<B>(l: Limiter, batch: B[], send: () => Promise<RecordResult[]>): Promise<RecordResult[]> {
  return batch.length === 0 ? send() : l.call(send);
}

export function budgetedCart(inner: CartConnector, l: Limiter): CartConnector {
  return {
    pullOrders: (cursor: string | undefined, limit: number) => l.call(() => inner.pullOrders(cursor, limit)),
    pushShipments: (batch: ShipmentOut[], key: string) =>
      push(l, batch, () => inner.pushShipments(batch, key)),
    pushInventory: (batch: InventoryOut[], key: string) =>
      push(l, batch, () => inner.pushInventory(batch, key)),
  };
}

export function budgetedWms(inner: WmsConnector, l: Limiter): WmsConnector {
  return {
    pushOrders: (batch: OrderOut[], key: string) => push(l, batch, () => inner.pushOrders(batch, key)),
    pullShipments: (cursor: string | undefined, limit: number) =>
      l.call(() => inner.pullShipments(cursor, limit)),
    pullInventory: (cursor: string | undefined, limit: number) =>
      l.call(() => inner.pullInventory(cursor, limit)),
  };
}
