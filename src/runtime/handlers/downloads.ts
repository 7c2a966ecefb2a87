// The three pull services. Each stores what it pulled (idempotently) before it moves its cursor,
// then triggers the Automatic services that have new work.
import type { Db } from "mongodb";
import { BudgetWaitError } from "../../connectors/budget.js";
import { findSpecs } from "../../jobs/repository.js";
import type { JobSpec } from "../../jobs/types.js";
import {
  CURSORS,
  cols,
  levelsPage,
  ordersPage,
  type Page,
  shipmentsPage,
  storeLevels,
  storeOrders,
  storeShipments,
} from "../../records/index.js";
import type { RuntimeContext } from "../context.js";
import { triggerAll } from "../trigger.js";

export interface PullReport {
  pages: number;
  pulled: number;
  stored: number;
  triggered: string[];
  more: boolean;
  /**
   * Set when the run ended early because the connection's API budget had no token within the
   * wait allowed: ms until it has one. Nothing was sent; the cursor stays at the last stored page.
   */
  budgetRetryAfterMs?: number;
}

async function getCursor(db: Db, key: string): Promise<string | null> {
  return (await cols(db).cursors.findOne({ _id: key }))?.cursor ?? null;
}

async function setCursor(db: Db, key: string, cursor: string | null): Promise<void> {
  await db
    .collection(CURSORS)
    .updateOne({ _id: key as never }, { $set: { cursor, updatedAt: new Date() } }, { upsert: true });
}

/** Pulls pages until the source has no more, storing each page before moving the cursor. */
async function pullAll<T>(
  ctx: RuntimeContext,
  key: string,
  pull: (cursor: string | undefined, limit: number) => Promise<Page<T>>,
  store: (items: T[]) => Promise<number>,
): Promise<PullReport> {
  const report: PullReport = { pages: 0, pulled: 0, stored: 0, triggered: [], more: false };
  let cursor = await getCursor(ctx.db, key);
  for (;;) {
    let page: Page<T>;
    try {
      page = await pull(cursor ?? undefined, ctx.opts.pullLimit);
    } catch (err) {
      if (!(err instanceof BudgetWaitError)) throw err;
      // Not `more`: an at-once rerun would find no token either; the next scheduled run goes on.
      report.budgetRetryAfterMs = err.retryAfterMs ?? 0;
      break;
    }
    report.pages += 1;
    report.pulled += page.items.length;
    report.stored += page.items.length > 0 ? await store(page.items) : 0;
    cursor = page.cursor;
    await setCursor(ctx.db, key, cursor);
    if (!page.more) break;
    if (ctx.stopping || report.pages >= ctx.opts.maxPagesPerRun) {
      report.more = true;
      break;
    }
  }
  return report;
}

function cartOf(spec: JobSpec): string {
  if (!spec.cartId) throw new Error(`${spec.key}: a cart service without a cart`);
  return spec.cartId;
}

export async function runOrderDownload(ctx: RuntimeContext, spec: JobSpec): Promise<PullReport> {
  const cartId = cartOf(spec);
  const cart = ctx.opts.connectors.cart(spec.connection, { merchantId: spec.merchantId, cartId });
  const report = await pullAll(
    ctx,
    spec.key,
    async (c, limit) => ordersPage(await cart.pullOrders(c, limit)),
    async (orders) => {
      return (await storeOrders(ctx.db, spec.merchantId, cartId, orders)).length;
    },
  );
  if (report.stored > 0) {
    // New orders go to the WMS; the merchant's other carts get inventory (stock was sold here).
    const delivery = await findSpecs(ctx.db, { merchantId: spec.merchantId, service: "orderDelivery" });
    const uploads = await findSpecs(ctx.db, { merchantId: spec.merchantId, service: "inventoryUpload" });
    report.triggered = await triggerAll(ctx, [...delivery, ...uploads.filter((u) => u.cartId !== cartId)]);
  }
  return report;
}

export async function runShippingConfirmations(ctx: RuntimeContext, spec: JobSpec): Promise<PullReport> {
  const wms = ctx.opts.connectors.wms(spec.connection, { merchantId: spec.merchantId });
  const carts = new Set<string>();
  const report = await pullAll(
    ctx,
    spec.key,
    async (c, limit) => shipmentsPage(spec.merchantId, await wms.pullShipments(c, limit)),
    async (items) => {
      const r = await storeShipments(ctx.db, spec.merchantId, items);
      if (r.queued.length > 0) for (const c of r.cartIds) carts.add(c);
      return r.queued.length;
    },
  );
  if (carts.size > 0) {
    const uploads = await findSpecs(ctx.db, { merchantId: spec.merchantId, service: "shipmentUpload" });
    report.triggered = await triggerAll(
      ctx,
      uploads.filter((u) => u.cartId && carts.has(u.cartId)),
    );
  }
  return report;
}

export async function runInventory(ctx: RuntimeContext, spec: JobSpec): Promise<PullReport> {
  const wms = ctx.opts.connectors.wms(spec.connection, { merchantId: spec.merchantId });
  const uploads = await findSpecs(ctx.db, { merchantId: spec.merchantId, service: "inventoryUpload" });
  const cartIds = uploads.map((u) => u.cartId).filter((c): c is string => !!c);
  const report = await pullAll(
    ctx,
    spec.key,
    async (c, limit) => levelsPage(await wms.pullInventory(c, limit)),
    async (levels) => {
      return (await storeLevels(ctx.db, spec.merchantId, cartIds, levels)).length;
    },
  );
  if (report.stored > 0) report.triggered = await triggerAll(ctx, uploads);
  return report;
}
