// A real HTTP server on 127.0.0.1 speaking the server side of docs/connector-protocol.md: carts
// under /cart/<cartId>/ and one WMS under /wms/, with in-memory state (src/connectors/sim.ts).
// Tests steer it: per-record failures, scripted misbehaviour for the next requests (429 with
// Retry-After, delays, hangs, dripping bytes, huge or malformed bodies, wrong result ids).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { OrderOut, RecordResult, Shipment } from "../../src/connectors/port.js";
import {
  type Decide,
  type PushEndpoint,
  type Rejection,
  SimCart,
  SimRequestError,
  SimWms,
} from "../../src/connectors/sim.js";

/** What the next request gets instead of (or on top of) the normal answer. */
export interface Misbehaviour {
  /** Answer with this status (and body) instead of handling the request. */
  status?: number;
  retryAfter?: string;
  body?: string;
  /** Wait before answering. */
  delayMs?: number;
  /** Never answer. */
  hang?: boolean;
  /** Send 200 headers, then one byte every dripMs, forever. */
  dripMs?: number;
  /** Send 200 with a JSON-looking body of this many bytes. */
  hugeBytes?: number;
  /** Handle the request, then change the results before answering. */
  results?: (results: RecordResult[]) => unknown[];
}

export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
  idempotencyKey?: string;
}

export interface FakeHubOptions {
  /** The bearer token the server expects (default "test-token"). */
  token?: string;
  /** WMS ships each order it accepts, at once (shipment id "shp-<order id>"). */
  autoShip?: boolean;
  /** Called as the WMS accepts each order (a benchmark timestamps receipt here). */
  onWmsOrder?: (order: OrderOut) => void;
  /** Every request waits this long before it is answered (a remote system's latency; benchmarks). */
  latencyMs?: number;
}

export interface FakeHub {
  url: string;
  cartUrl(cartId: string): string;
  wmsUrl: string;
  cart(cartId: string): SimCart;
  wms: SimWms;
  /** Ids rejected on every push until removed. */
  failIds: Map<string, NonNullable<Rejection>>;
  /** Consumed one per request, in order. */
  script: Misbehaviour[];
  requests: SeenRequest[];
  close(): Promise<void>;
}

const MAX_BODY = 20 * 1024 * 1024;

export async function startFakeHub(o: FakeHubOptions = {}): Promise<FakeHub> {
  const token = o.token ?? "test-token";
  const failIds = new Map<string, NonNullable<Rejection>>();
  const decide: Decide = (_kind, id) => failIds.get(id);
  const carts = new Map<string, SimCart>();
  const wms = new SimWms(decide, (order) => {
    o.onWmsOrder?.(order);
    if (o.autoShip) wms.addShipments([shipmentFor(order)]);
  });
  const cart = (id: string) => {
    let c = carts.get(id);
    if (!c) {
      c = new SimCart(id, decide);
      carts.set(id, c);
    }
    return c;
  };
  const script: Misbehaviour[] = [];
  const requests: SeenRequest[] = [];
  const open = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    open.add(res);
    res.on("close", () => open.delete(res));
    const seen: SeenRequest = { method: req.method ?? "", path: req.url ?? "" };
    if (req.headers.authorization) seen.authorization = req.headers.authorization;
    const key = req.headers["idempotency-key"];
    if (typeof key === "string") seen.idempotencyKey = key;
    requests.push(seen);
    const mis = script.shift();
    void serve(req, res, mis).catch((err) => {
      if (err instanceof SimRequestError && !res.headersSent) send(res, err.status, { error: err.message });
      else if (!res.headersSent) send(res, 500, { error: String(err) });
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse, mis?: Misbehaviour): Promise<void> {
    const body = await readBody(req);
    if (o.latencyMs) await new Promise((r) => setTimeout(r, o.latencyMs));
    if (mis?.hang) return;
    if (mis?.delayMs) await new Promise((r) => setTimeout(r, mis.delayMs));
    if (mis?.dripMs !== undefined) return drip(res, mis.dripMs);
    if (mis?.hugeBytes !== undefined) return huge(res, mis.hugeBytes);
    if (mis?.status !== undefined) {
      const headers: Record<string, string> = {};
      if (mis.retryAfter !== undefined) headers["Retry-After"] = mis.retryAfter;
      res.writeHead(mis.status, headers).end(mis.body ?? "");
      return;
    }
    if (mis?.body !== undefined) {
      res.writeHead(200, { "Content-Type": "application/json" }).end(mis.body);
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(res, 401, { error: "bad or missing token" });
    try {
      const out = route(
        req.method ?? "",
        new URL(req.url ?? "/", "http://x"),
        body,
        req.headers["idempotency-key"],
      );
      if (mis?.results && "results" in out) out.results = mis.results(out.results as RecordResult[]);
      send(res, 200, out);
    } catch (err) {
      if (err instanceof SimRequestError) return send(res, err.status, { error: err.message });
      throw err;
    }
  }

  function route(method: string, url: URL, body: unknown, key: unknown): Record<string, unknown> {
    const parts = url.pathname.split("/").filter(Boolean);
    const cursor = url.searchParams.get("cursor") ?? undefined;
    const limit = Number(url.searchParams.get("limit") ?? 100);
    if (!Number.isInteger(limit) || limit < 1) throw new SimRequestError(400, "bad limit");
    const push = <T extends { id: string }>(ep: PushEndpoint<T>, field: string) => {
      const batch = (body as Record<string, unknown> | undefined)?.[field];
      if (!Array.isArray(batch)) throw new SimRequestError(400, `expected {"${field}": [...]}`);
      if (typeof key !== "string") throw new SimRequestError(400, "Idempotency-Key is required");
      return { results: ep.push(batch as T[], key) };
    };
    if (parts[0] === "cart" && parts[1] && parts.length === 3) {
      const c = cart(parts[1]);
      if (method === "GET" && parts[2] === "orders") {
        const p = c.orders.page(cursor, limit);
        return { orders: p.items, cursor: p.cursor, more: p.more };
      }
      if (method === "POST" && parts[2] === "shipments") return push(c.shipments, "shipments");
      if (method === "POST" && parts[2] === "inventory") return push(c.inventory, "levels");
    }
    if (parts[0] === "wms" && parts.length === 2) {
      if (method === "POST" && parts[1] === "orders") return push(wms.orders, "orders");
      if (method === "GET" && parts[1] === "shipments") {
        const p = wms.shipments.page(cursor, limit);
        return { shipments: p.items, cursor: p.cursor, more: p.more };
      }
      if (method === "GET" && parts[1] === "inventory") {
        const p = wms.levels.page(cursor, limit);
        return { levels: p.items, cursor: p.cursor, more: p.more };
      }
    }
    throw new SimRequestError(404, `no route ${method} ${url.pathname}`);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    cartUrl: (id) => `${url}/cart/${id}`,
    wmsUrl: `${url}/wms`,
    cart,
    wms,
    failIds,
    script,
    requests,
    close: async () => {
      for (const r of open) r.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function shipmentFor(order: OrderOut): Shipment {
  return {
    id: `shp-${order.id}`,
    orderId: order.id,
    orderExternalId: order.externalId,
    cartId: order.cartId,
    carrier: "FAKE",
    trackingNumber: `TRK-${order.externalId}`,
    shippedAt: new Date().toISOString(),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) })
    .end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new SimRequestError(413, "request too large");
    chunks.push(c);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new SimRequestError(400, "body is not JSON");
  }
}

function drip(res: ServerResponse, everyMs: number): void {
  res.writeHead(200, { "Content-Type": "application/json" });
  res.write("{");
  const t = setInterval(() => res.write(" "), everyMs);
  res.on("close", () => clearInterval(t));
}

function huge(res: ServerResponse, bytes: number): void {
  // Chunked (no Content-Length), so the client must count while it reads.
  res.writeHead(200, { "Content-Type": "application/json" });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(chunk.subarray(0, n))) return void res.once("drain", pump);
    }
    res.end();
  };
  res.on("close", () => {
    left = 0;
  });
  pump();
}
