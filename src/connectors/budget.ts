// API budgets per connection (connection.rateLimit): a decorator of CartConnector and WmsConnector
// that takes one token from the connection's budget before each request (a pull page, a push
// batch). The bucket lives in a BudgetStore (the store's api_budgets, shared by every process; or
// this process's memory when there is no store). A request waits for its token at most maxWaitMs;
// a longer wait ends the call with a BudgetWaitError (retryable, retryAfterMs): nothing was sent.
// A 429 pauses the budget until Retry-After and halves its pace (token-bucket.ts), then the request
// is sent again through the budget, at most RATE_LIMIT_RETRIES times (pulls are reads and pushes
// carry their Idempotency-Key, so sending again is safe); after that, a BudgetWaitError too.
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
  /** A request was not sent: its token was further away than the wait allowed, or 429 came too often. */
  budgetDeferred?(budget: string): void;
  /** A request took a token and starts at startsAt (epoch ms, the instant its token is due). */
  budgetTaken?(budget: string, startsAt: number): void;
}

export interface Budgets {
  store: BudgetStore<BucketState>;
  hooks?: BudgetHooks;
  /** The longest a request waits for its token, ms (default DEFAULT_MAX_WAIT_MS). */
  maxWaitMs?: number;
  now?: () => number;
}

/**
 * Default bound of one request's wait for its token: a run stays within its lease and a stopping
 * worker is not held for long; a budget slower than this (Amazon's getOrders: one a minute) makes
 * a run end after its burst, and the next run goes on from the stored cursor.
 */
export const DEFAULT_MAX_WAIT_MS = 30_000;
/** 429s sent again through the budget within one call. */
export const RATE_LIMIT_RETRIES = 2;

/**
 * A request the budget did not send, or that the remote refused with 429 more than
 * RATE_LIMIT_RETRIES times in a row: nothing was taken; try again after retryAfterMs.
 */
export class BudgetWaitError extends ConnectorError {
  readonly budget: string;
  constructor(budget: string, retryAfterMs: number, why: string, cause?: unknown) {
    super("rate_limited", `API budget ${budget}: ${why}; not sent, retry after ${retryAfterMs} ms`, {
      retryable: true,
      retryAfterMs,
      // The remote's 429, when it said so; none when the budget held the request back.
      ...(cause === undefined ? {} : { cause, status: 429 }),
    });
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
    this.maxWaitMs = budgets?.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
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
        if (attempt >= RATE_LIMIT_RETRIES) {
          this.budgets?.hooks?.budgetDeferred?.(this.key);
          throw new BudgetWaitError(
            this.key,
            retryAfterMs,
            `answered 429 ${attempt + 1} times in a row`,
            err,
          );
        }
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
      const why = `the next token is ${grant.waitMs} ms away (a request waits up to ${this.maxWaitMs} ms)`;
      throw new BudgetWaitError(this.key, grant.waitMs, why);
    }
    // The token is due waitMs after `at`, when the request began asking: the store's round trip
    // counts in the wait, so requests start at their instants, not a round trip late and bunched.
    const startsAt = at + grant.waitMs;
    this.budgets?.hooks?.budgetTaken?.(this.key, startsAt);
    if (grant.waitMs <= 0) return;
    this.budgets?.hooks?.budgetWaited?.(this.key, grant.waitMs / 1000);
    const left = startsAt - this.now();
    if (left > 0) await sleep(left, this.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ConnectorError("network", "aborted while waiting for a token"));
    // Unref'd: a request waiting for its token does not keep a stopped process alive.
    const t = setTimeout(resolve, ms).unref();
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
