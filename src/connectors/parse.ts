// Checking what a receiver or source sent back. Nothing counts as delivered unless the receiver
// acknowledged that very id; a page with a malformed record is refused whole, so its cursor is
// not stored and no record is silently dropped.
import {
  type Address,
  ConnectorError,
  type InventoryLevel,
  type Order,
  type OrderLine,
  type PullPage,
  type RecordResult,
  type Shipment,
} from "./port.js";

export const NO_RESULT = "no result in response";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** `field`: where in the answer, e.g. `orders[2].placedAt`, for a malformed record. */
function bad(what: string, field?: string): ConnectorError {
  return new ConnectorError("protocol", `invalid response: ${what}`, field === undefined ? {} : { field });
}

/**
 * One result per sent id, in the order sent. Ids the response does not mention fail (retryable);
 * ids that were not sent are ignored; an id reported twice counts as acknowledged only if every
 * report says ok.
 */
export function matchResults(sentIds: string[], body: unknown): RecordResult[] {
  const raw = isObj(body) ? body.results : undefined;
  if (!Array.isArray(raw)) throw bad('expected {"results": [...]}');
  const sent = new Set(sentIds);
  const got = new Map<string, RecordResult>();
  raw.forEach((r, i) => {
    if (!isObj(r) || typeof r.id !== "string" || typeof r.ok !== "boolean") {
      throw bad(`results[${i}] needs a string id and a boolean ok`);
    }
    if (!sent.has(r.id)) return;
    const result: RecordResult = r.ok
      ? { id: r.id, ok: true, ...(typeof r.remoteId === "string" ? { remoteId: r.remoteId } : {}) }
      : {
          id: r.id,
          ok: false,
          error: typeof r.error === "string" && r.error ? r.error.slice(0, 500) : "rejected",
          retryable: r.retryable !== false,
        };
    const before = got.get(r.id);
    if (!before || (before.ok && !result.ok)) got.set(r.id, result);
  });
  return sentIds.map((id) => got.get(id) ?? { id, ok: false, error: NO_RESULT, retryable: true });
}

function str(o: Obj, key: string, where: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== "string" || v === "")
    throw bad(`${where}.${key} must be a non-empty string`, `${where}.${key}`);
  return v;
}

function time(o: Obj, key: string, where: string): string {
  const v = str(o, key, where) as string;
  if (Number.isNaN(Date.parse(v)))
    throw bad(`${where}.${key} is not a date: ${v.slice(0, 40)}`, `${where}.${key}`);
  return v;
}

function num(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isFinite(v))
    throw bad(`${where}.${key} must be a number`, `${where}.${key}`);
  return v;
}

function page(body: unknown, key: string): { items: unknown[] } & PullPage {
  if (!isObj(body)) throw bad("expected a JSON object");
  const items = body[key];
  if (!Array.isArray(items)) throw bad(`expected "${key}" to be an array`);
  if (typeof body.cursor !== "string") throw bad('expected "cursor" to be a string');
  if (typeof body.more !== "boolean") throw bad('expected "more" to be a boolean');
  return { items, cursor: body.cursor, more: body.more };
}

function record(v: unknown, where: string): Obj {
  if (!isObj(v)) throw bad(`${where} must be an object`, where);
  return v;
}

function order(v: unknown, where: string): Order {
  const o = record(v, where);
  if (!Array.isArray(o.lines)) throw bad(`${where}.lines must be an array`, `${where}.lines`);
  const lines: OrderLine[] = o.lines.map((l, i) => {
    const line = record(l, `${where}.lines[${i}]`);
    return {
      sku: str(line, "sku", `${where}.lines[${i}]`) as string,
      qty: num(line, "qty", `${where}.lines[${i}]`),
    };
  });
  const shipTo = o.shipTo === undefined ? {} : record(o.shipTo, `${where}.shipTo`);
  return {
    externalId: str(o, "externalId", where) as string,
    cartId: str(o, "cartId", where) as string,
    lines,
    shipTo: shipTo as Address,
    placedAt: time(o, "placedAt", where),
  };
}

function shipment(v: unknown, where: string): Shipment {
  const o = record(v, where);
  const s: Shipment = {
    id: str(o, "id", where) as string,
    orderExternalId: str(o, "orderExternalId", where) as string,
    carrier: str(o, "carrier", where) as string,
    trackingNumber: str(o, "trackingNumber", where) as string,
    shippedAt: time(o, "shippedAt", where),
  };
  const orderId = str(o, "orderId", where, true);
  const cartId = str(o, "cartId", where, true);
  if (orderId) s.orderId = orderId;
  if (cartId) s.cartId = cartId;
  return s;
}

function level(v: unknown, where: string): InventoryLevel {
  const o = record(v, where);
  const l: InventoryLevel = {
    sku: str(o, "sku", where) as string,
    available: num(o, "available", where),
    asOf: time(o, "asOf", where),
  };
  const warehouse = str(o, "warehouse", where, true);
  if (warehouse) l.warehouse = warehouse;
  return l;
}

export function parseOrdersPage(body: unknown): PullPage & { orders: Order[] } {
  const p = page(body, "orders");
  return { orders: p.items.map((o, i) => order(o, `orders[${i}]`)), cursor: p.cursor, more: p.more };
}

export function parseShipmentsPage(body: unknown): PullPage & { shipments: Shipment[] } {
  const p = page(body, "shipments");
  return { shipments: p.items.map((s, i) => shipment(s, `shipments[${i}]`)), cursor: p.cursor, more: p.more };
}

export function parseInventoryPage(body: unknown): PullPage & { levels: InventoryLevel[] } {
  const p = page(body, "levels");
  return { levels: p.items.map((l, i) => level(l, `levels[${i}]`)), cursor: p.cursor, more: p.more };
}
