// The three push services: orders to the WMS, tracking and inventory to a cart.

import type { JobSpec } from "../../jobs/types.js";
import {
  inventoryOut,
  orderOut,
  type PushService,
  type Scope,
  shipmentOut,
  toBatchResult,
} from "../../records/index.js";
import { DEFAULT_AUTOMATIC_MAX_BATCH } from "../../schedule/model.js";
import type { RuntimeContext } from "../context.js";
import { type PushReport, pushScope, type Send } from "../push.js";

function batchSize(ctx: RuntimeContext, spec: JobSpec): number {
  if (spec.schedule.kind === "automatic") return spec.schedule.maxBatch || DEFAULT_AUTOMATIC_MAX_BATCH;
  return ctx.opts.periodicBatch;
}

function cartOf(spec: JobSpec): string {
  if (!spec.cartId) throw new Error(`${spec.key}: a cart service without a cart`);
  return spec.cartId;
}

function sender(ctx: RuntimeContext, spec: JobSpec): Send {
  const { connectors } = ctx.opts;
  switch (spec.service) {
    case "orderDelivery": {
      const wms = connectors.wms(spec.connection, { merchantId: spec.merchantId });
      return async (items, key) => toBatchResult(await wms.pushOrders(items.map(orderOut), key));
    }
    case "shipmentUpload": {
      const cart = connectors.cart(spec.connection, { merchantId: spec.merchantId, cartId: cartOf(spec) });
      return async (items, key) => toBatchResult(await cart.pushShipments(items.map(shipmentOut), key));
    }
    case "inventoryUpload": {
      const cart = connectors.cart(spec.connection, { merchantId: spec.merchantId, cartId: cartOf(spec) });
      return async (items, key) => toBatchResult(await cart.pushInventory(items.map(inventoryOut), key));
    }
    default:
      throw new Error(`${spec.service} is not a push service`);
  }
}

function scopeOf(spec: JobSpec): Scope {
  return {
    service: spec.service as PushService,
    merchantId: spec.merchantId,
    cartId: spec.service === "orderDelivery" ? null : cartOf(spec),
  };
}

export async function runPush(ctx: RuntimeContext, spec: JobSpec, startedAt: Date): Promise<PushReport> {
  const automatic = spec.schedule.kind === "automatic";
  return pushScope(ctx, scopeOf(spec), sender(ctx, spec), batchSize(ctx, spec), startedAt, { automatic });
}

/** Sends again only the batches of the service whose lease expired (the sweep, for periodic services). */
export async function resendExpired(
  ctx: RuntimeContext,
  spec: JobSpec,
  startedAt: Date,
): Promise<PushReport> {
  return pushScope(ctx, scopeOf(spec), sender(ctx, spec), batchSize(ctx, spec), startedAt, {
    expiredOnly: true,
  });
}
