// The http adapter's own guarantees, against a real server on 127.0.0.1 that misbehaves on cue.
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ConnectorContext,
  createCartConnector,
  createWmsConnector,
} from "../../src/connectors/index.js";
import { NO_RESULT } from "../../src/connectors/parse.js";
import { ConnectorError, type OrderOut } from "../../src/connectors/port.js";
import { parseRetryAfter } from "../../src/connectors/retry-after.js";
import { type FakeHub, startFakeHub } from "../helpers/fake-hub-server.js";

const TOKEN = "s3cr3t-token-value-xyz";
let hub: FakeHub;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  hub = await startFakeHub({ token: TOKEN });
  env = { WMS_TOKEN: TOKEN };
});
afterEach(async () => {
  await hub.close();
});

// A timeout a loaded machine never hits; the tests of the timeout itself set a short one.
function wms(over: Partial<ConnectorContext> = {}, spec: Record<string, unknown> = {}) {
  return createWmsConnector(
    { type: "http", baseUrl: hub.wmsUrl, tokenEnv: "WMS_TOKEN", timeoutMs: 30_000, ...spec },
    { merchantId: "m1", env, http: { rateLimitRetries: 0 }, ...over },
  );
}

const order = (n: number): OrderOut => ({
  id: `o${n}`,
  externalId: `e${n}`,
  cartId: "c1",
  lines: [{ sku: "A", qty: 1 }],
  shipTo: {},
  placedAt: "2024-01-01T00:00:00Z",
});

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}

describe("http connector: requests", () => {
  it("sends the bearer token and an Idempotency-Key on every push", async () => {
    await wms().pushOrders([order(1)], "key-1");
    await wms().pullShipments(undefined, 10);
    expect(hub.requests).toEqual([
      expect.objectContaining({ method: "POST", authorization: `Bearer ${TOKEN}`, idempotencyKey: "key-1" }),
      expect.objectContaining({
        method: "GET",
        path: "/wms/shipments?limit=10",
        authorization: `Bearer ${TOKEN}`,
      }),
    ]);
  });

  it("reads the token when it calls, not when it is made", async () => {
    const c = wms();
    env.WMS_TOKEN = "rotated";
    await failure(c.pullInventory(undefined, 5));
    expect(hub.requests[0]?.authorization).toBe("Bearer rotated");
  });

  it("names a missing token variable and sends nothing", async () => {
    delete env.WMS_TOKEN;
    const err = await failure(wms().pushOrders([order(1)], "k"));
    expect(err).toMatchObject({ kind: "config", retryable: false });
    expect(err.message).toContain("WMS_TOKEN");
    expect(hub.requests).toHaveLength(0);
  });

  it("never puts the token in an error, even when the server echoes it", async () => {
    hub.script.push({ status: 500, body: `upstream said: Authorization: Bearer ${TOKEN}` });
    const err = await failure(wms().pushOrders([order(1)], "k"));
    expect(err).toMatchObject({ kind: "http", status: 500, retryable: true });
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).toContain("***");
    hub.script.push({ status: 200, body: `not json ${TOKEN}` });
    expect((await failure(wms().pushOrders([order(1)], "k2"))).message).not.toContain(TOKEN);
  });

  it("says which variable to check on 401, without the token", async () => {
    env.WMS_TOKEN = "wrong";
    const err = await failure(wms().pullShipments(undefined, 1));
    expect(err).toMatchObject({ kind: "http", status: 401, retryable: false });
    expect(err.message).toContain("check the token in WMS_TOKEN");
    expect(err.message).not.toContain("wrong");
  });

  it("treats 5xx as retryable and other 4xx as not", async () => {
    hub.script.push({ status: 503 }, { status: 400, body: '{"error":"bad batch"}' });
    expect(await failure(wms().pushOrders([order(1)], "k"))).toMatchObject({
      kind: "http",
      status: 503,
      retryable: true,
    });
    const bad = await failure(wms().pushOrders([order(1)], "k"));
    expect(bad).toMatchObject({ kind: "http", status: 400, retryable: false });
    expect(bad.message).toContain("bad batch");
  });

  it("refuses a redirect rather than follow it with the token", async () => {
    hub.script.push({ status: 307, body: "" });
    expect(await failure(wms().pullInventory(undefined, 1))).toMatchObject({ kind: "http", status: 307 });
  });

  it("reports a refused connection as a retryable network error", async () => {
    const port = await freePort();
    const c = createWmsConnector(
      { type: "http", baseUrl: `http://127.0.0.1:${port}/wms`, tokenEnv: "WMS_TOKEN" },
      { merchantId: "m1", env },
    );
    expect(await failure(c.pullShipments(undefined, 1))).toMatchObject({ kind: "network", retryable: true });
  });
});

describe("http connector: slow and oversized responses", () => {
  it("times out on a server that never answers", async () => {
    hub.script.push({ hang: true });
    const err = await failure(wms({}, { timeoutMs: 300 }).pushOrders([order(1)], "k"));
    expect(err).toMatchObject({ kind: "timeout", retryable: true });
  });

  it("times out on a server that drips bytes (the deadline covers the body)", async () => {
    hub.script.push({ dripMs: 20 });
    const err = await failure(wms({}, { timeoutMs: 400 }).pullShipments(undefined, 1));
    expect(err).toMatchObject({ kind: "timeout" });
  });

  it("aborts a response beyond the size cap while streaming", async () => {
    hub.script.push({ hugeBytes: 50 * 1024 * 1024 });
    const err = await failure(wms({ http: { maxResponseBytes: 256 * 1024 } }).pullInventory(undefined, 1));
    expect(err).toMatchObject({ kind: "protocol" });
    expect(err.message).toContain("too large");
  });
});

describe("http connector: malformed answers", () => {
  it("turns malformed JSON into a protocol error", async () => {
    hub.script.push({ body: '{"results": [' });
    expect(await failure(wms().pushOrders([order(1)], "k"))).toMatchObject({
      kind: "protocol",
      retryable: true,
    });
  });

  it("refuses a page with a malformed record as a whole", async () => {
    hub.script.push({ body: JSON.stringify({ shipments: [{ id: "s1" }], cursor: "1", more: false }) });
    const err = await failure(wms().pullShipments(undefined, 10));
    expect(err).toMatchObject({ kind: "protocol" });
    expect(err.message).toContain("shipments[0]");
  });

  it("refuses a page that says more but makes no progress", async () => {
    hub.script.push({ body: JSON.stringify({ levels: [], cursor: "5", more: true }) });
    expect(await failure(wms().pullInventory("5", 10))).toMatchObject({ kind: "protocol" });
  });

  it("marks nothing delivered that was not acknowledged: missing ids fail, unknown ids are ignored", async () => {
    hub.script.push({
      results: () => [
        { id: "o1", ok: true },
        { id: "not-sent", ok: true },
        { id: "o3", ok: true },
        { id: "o3", ok: false, error: "duplicate says no" },
      ],
    });
    const results = await wms().pushOrders([order(1), order(2), order(3)], "k");
    expect(results).toEqual([
      { id: "o1", ok: true },
      { id: "o2", ok: false, error: NO_RESULT, retryable: true },
      { id: "o3", ok: false, error: "duplicate says no", retryable: true },
    ]);
  });

  it("refuses results that are not a list", async () => {
    hub.script.push({ body: JSON.stringify({ results: { o1: true } }) });
    expect(await failure(wms().pushOrders([order(1)], "k"))).toMatchObject({ kind: "protocol" });
  });
});

describe("http connector: rate limits", () => {
  it("reports 429 as rate_limited with the Retry-After delay", async () => {
    hub.script.push({ status: 429, retryAfter: "7" });
    const err = await failure(wms().pushOrders([order(1)], "k"));
    expect(err).toMatchObject({ kind: "rate_limited", status: 429, retryAfterMs: 7_000, retryable: true });
  });

  it("honours a short Retry-After inside the call, with the same Idempotency-Key", async () => {
    hub.script.push({ status: 429, retryAfter: "0" });
    const r = await wms({ http: { rateLimitRetries: 2, maxRetryWaitMs: 1_000 } }).pushOrders(
      [order(1)],
      "k-429",
    );
    expect(r).toEqual([expect.objectContaining({ id: "o1", ok: true })]);
    expect(hub.requests.map((q) => q.idempotencyKey)).toEqual(["k-429", "k-429"]);
    expect(hub.wms.orders.applied.get("o1")).toBe(1);
  });

  it("does not wait inside the call for a long Retry-After", async () => {
    hub.script.push({ status: 429, retryAfter: "120" });
    const err = await failure(
      wms({ http: { rateLimitRetries: 3, maxRetryWaitMs: 1_000 } }).pullShipments(undefined, 1),
    );
    expect(err).toMatchObject({ kind: "rate_limited", retryAfterMs: 120_000 });
    expect(hub.requests).toHaveLength(1);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2024-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3_000);
    expect(parseRetryAfter("Mon, 01 Jan 2024 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Sun, 31 Dec 2023 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("http connector: carts", () => {
  it("pushes to the cart named by the base URL", async () => {
    const cart = createCartConnector(
      { type: "http", baseUrl: hub.cartUrl("c9"), tokenEnv: "WMS_TOKEN" },
      { merchantId: "m1", cartId: "c9", env },
    );
    const ship = {
      id: "sh1",
      orderExternalId: "e1",
      carrier: "UPS",
      trackingNumber: "1Z",
      shippedAt: "2024-01-01T00:00:00Z",
    };
    expect(await cart.pushShipments([ship], "k")).toEqual([expect.objectContaining({ id: "sh1", ok: true })]);
    expect(hub.cart("c9").shipments.accepted.get("sh1")).toEqual(ship);
    expect(hub.cart("c1").shipments.accepted.size).toBe(0);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
