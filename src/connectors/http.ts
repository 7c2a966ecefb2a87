// The `http` connector: the JSON protocol of docs/connector-protocol.md, as a client of a cart
// and of a WMS/OMS.
import { type HttpSettings, type JsonRequest, requestJson } from "./http-request.js";
import { matchResults, parseInventoryPage, parseOrdersPage, parseShipmentsPage } from "./parse.js";
import {
  type CartConnector,
  ConnectorError,
  type InventoryOut,
  MAX_PULL_LIMIT,
  type OrderOut,
  type PullPage,
  type RecordResult,
  type ShipmentOut,
  type WmsConnector,
} from "./port.js";

export type { HttpSettings } from "./http-request.js";

class HttpClient {
  constructor(private readonly s: HttpSettings) {}

  async push(path: string, field: string, batch: { id: string }[], key: string): Promise<RecordResult[]> {
    if (batch.length === 0) return [];
    if (!key)
      throw new ConnectorError("config", "an Idempotency-Key is required for every push", {
        retryable: false,
      });
    const ids = batch.map((r) => r.id);
    if (new Set(ids).size !== ids.length) {
      throw new ConnectorError("config", `${path}: a batch must not hold the same id twice`, {
        retryable: false,
      });
    }
    const body = await requestJson(this.s, {
      method: "POST",
      path,
      body: { [field]: batch },
      idempotencyKey: key,
    });
    return matchResults(ids, body);
  }

  async pull<P extends PullPage>(
    path: string,
    cursor: string | undefined,
    limit: number,
    parse: (body: unknown) => P,
    count: (p: P) => number,
  ): Promise<P> {
    const req: JsonRequest = {
      method: "GET",
      path,
      query: { cursor: cursor || undefined, limit: clamp(limit) },
    };
    const page = parse(await requestJson(this.s, req));
    // A page that says "more" but neither moves nor brings anything would make the caller loop.
    if (page.more && count(page) === 0 && page.cursor === (cursor ?? "")) {
      throw new ConnectorError(
        "protocol",
        `GET ${path}: "more" without progress (cursor unchanged, no items)`,
      );
    }
    return page;
  }
}

function clamp(limit: number): number {
  return Math.max(1, Math.min(MAX_PULL_LIMIT, Math.floor(limit) || 1));
}

export class HttpCart implements CartConnector {
  private readonly c: HttpClient;
  constructor(settings: HttpSettings) {
    this.c = new HttpClient(settings);
  }

  pullOrders(cursor: string | undefined, limit: number) {
    return this.c.pull("orders", cursor, limit, parseOrdersPage, (p) => p.orders.length);
  }

  pushShipments(batch: ShipmentOut[], idempotencyKey: string) {
    return this.c.push("shipments", "shipments", batch, idempotencyKey);
  }

  pushInventory(batch: InventoryOut[], idempotencyKey: string) {
    return this.c.push("inventory", "levels", batch, idempotencyKey);
  }
}

export class HttpWms implements WmsConnector {
  private readonly c: HttpClient;
  constructor(settings: HttpSettings) {
    this.c = new HttpClient(settings);
  }

  pushOrders(batch: OrderOut[], idempotencyKey: string) {
    return this.c.push("orders", "orders", batch, idempotencyKey);
  }

  pullShipments(cursor: string | undefined, limit: number) {
    return this.c.pull("shipments", cursor, limit, parseShipmentsPage, (p) => p.shipments.length);
  }

  pullInventory(cursor: string | undefined, limit: number) {
    return this.c.pull("inventory", cursor, limit, parseInventoryPage, (p) => p.levels.length);
  }
}
