// The sandbox simulator and the factory's checks of `connection` blocks.
import { describe, expect, it } from "vitest";
import {
  ConnectorError,
  createCartConnector,
  createConnectorFactory,
  createWmsConnector,
  parseConnection,
} from "../../src/connectors/index.js";
import type { OrderOut } from "../../src/connectors/port.js";
import { SandboxCart, SandboxWms } from "../../src/connectors/sandbox.js";
import {
  type BatchItem,
  levelsPage,
  type OrderDoc,
  orderOut,
  ordersPage,
  shipmentsPage,
  toBatchResult,
} from "../../src/records/index.js";

function clock(start = Date.parse("2024-05-01T00:00:00Z")) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe("sandbox cart", () => {
  it("makes orders at orderRatePerMinute, the same ones for the same seed", async () => {
    const c = clock();
    const a = new SandboxCart("c1", { orderRatePerMinute: 60, seed: 7, now: c.now });
    const b = new SandboxCart("c1", { orderRatePerMinute: 60, seed: 7, now: c.now });
    expect((await a.pullOrders(undefined, 100)).orders).toEqual([]);
    c.t += 10_000;
    const pa = await a.pullOrders(undefined, 100);
    expect(pa.orders.map((o) => o.externalId)).toEqual(Array.from({ length: 10 }, (_, i) => `c1-${i + 1}`));
    expect((await b.pullOrders(undefined, 100)).orders).toEqual(pa.orders);
    c.t += 5_000;
    expect((await a.pullOrders(pa.cursor, 100)).orders.map((o) => o.externalId)).toEqual([
      "c1-11",
      "c1-12",
      "c1-13",
      "c1-14",
      "c1-15",
    ]);
  });

  it("fails about failureRate of the pushed records, per attempt, deterministically", async () => {
    const run = async () => {
      const cart = new SandboxCart("c1", { failureRate: 0.2, seed: 3 });
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        id: `i${i}`,
        sku: `S${i}`,
        available: 1,
        asOf: "2024-01-01T00:00:00Z",
      }));
      return cart.pushInventory(batch, "k1");
    };
    const r = await run();
    const failed = r.filter((x) => !x.ok).length;
    expect(failed).toBeGreaterThan(120);
    expect(failed).toBeLessThan(280);
    expect(await run()).toEqual(r);
  });
});

describe("sandbox WMS", () => {
  it("ships each accepted order once and lowers stock", async () => {
    const wms = new SandboxWms({ now: clock().now });
    const o: OrderOut = {
      id: "order:m:c1:e1",
      externalId: "e1",
      cartId: "c1",
      lines: [{ sku: "SKU-001", qty: 3 }],
      shipTo: {},
      placedAt: "2024-01-01T00:00:00Z",
    };
    await wms.pushOrders([o], "k");
    await wms.pushOrders([o], "k");
    const s = await wms.pullShipments(undefined, 10);
    expect(s.shipments).toEqual([
      expect.objectContaining({ orderId: o.id, orderExternalId: "e1", cartId: "c1" }),
    ]);
    const l = await wms.pullInventory(undefined, 10);
    expect(l.levels).toEqual([expect.objectContaining({ sku: "SKU-001", available: 997 })]);
  });
});

describe("sandbox failures", () => {
  const order = (n: number): OrderOut => ({
    id: `order:m:c1:c1-${n}`,
    externalId: `c1-${n}`,
    cartId: "c1",
    lines: [{ sku: "SKU-001", qty: 1 }],
    shipTo: {},
    placedAt: "2024-01-01T00:00:00Z",
  });

  it("holds the WMS's 5th order once (not retryable) and accepts it when resent", async () => {
    const wms = new SandboxWms({ failureRate: 0.000001, seed: 1, now: clock().now });
    const first = await wms.pushOrders([1, 2, 3, 4, 5, 6].map(order), "k1");
    expect(first.filter((r) => !r.ok)).toEqual([
      { id: "order:m:c1:c1-5", ok: false, error: expect.stringMatching(/on hold.*resend/), retryable: false },
    ]);
    expect(await wms.pushOrders([order(5)], "k2")).toEqual([
      { id: "order:m:c1:c1-5", ok: true, remoteId: "r-order:m:c1:c1-5" },
    ]);
  });

  it("fails transiently with the errors real systems give, and holds nothing without failureRate", async () => {
    const cart = new SandboxCart("c1", { failureRate: 0.5, seed: 2 });
    const batch = Array.from({ length: 20 }, (_, i) => ({
      id: `i${i}`,
      sku: "S",
      available: 1,
      asOf: "2024-01-01T00:00:00Z",
    }));
    const failed = (await cart.pushInventory(batch, "k")).filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed)
      expect(f).toMatchObject({
        retryable: true,
        error: expect.stringMatching(/^sandbox: HTTP \d{3}: .* \(simulated\)$/),
      });
    const calm = new SandboxWms({ now: clock().now });
    expect((await calm.pushOrders([1, 2, 3, 4, 5].map(order), "k")).every((r) => r.ok)).toBe(true);
  });
});

describe("connection blocks", () => {
  const bad = (spec: unknown) => {
    try {
      parseConnection(spec as never, "merchant m1: connection");
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ kind: "config", retryable: false });
      return (err as Error).message;
    }
    throw new Error("accepted");
  };

  it("says what is wrong, with the place", () => {
    expect(bad(undefined)).toBe("merchant m1: connection: no connection block configured");
    expect(bad({ type: "ftp" })).toContain('type must be "http" or "sandbox", got "ftp"');
    expect(bad({ type: "http", tokenEnv: "T" })).toContain("baseUrl is required");
    expect(bad({ type: "http", baseUrl: "ftp://x", tokenEnv: "T" })).toContain("http or https");
    expect(bad({ type: "http", baseUrl: "https://u:p@x", tokenEnv: "T" })).toContain(
      "must not contain credentials",
    );
    expect(bad({ type: "http", baseUrl: "https://x", tokenEnv: "sk_live_123abc" })).toContain(
      "NAME of an environment variable",
    );
    expect(bad({ type: "http", baseUrl: "https://x", tokenEnv: "T", timeoutMs: 0 })).toContain("timeoutMs");
    expect(
      bad({ type: "http", baseUrl: "https://x", tokenEnv: "T", headers: { Authorization: "x" } }),
    ).toContain("headers.Authorization is set by the connector");
    expect(bad({ type: "http", baseUrl: "https://x", tokenEnv: "T", failureRate: 0.1 })).toContain(
      "unknown field for type http: failureRate",
    );
    expect(bad({ type: "sandbox", failureRate: 2 })).toContain("failureRate must be a number from 0 to 1");
    expect(bad({ type: "sandbox", seed: 1.5 })).toContain("seed must be an integer");
  });

  it("fills defaults", () => {
    expect(parseConnection({ type: "http", baseUrl: "https://x/api", tokenEnv: "T" })).toEqual({
      type: "http",
      baseUrl: "https://x/api",
      tokenEnv: "T",
      timeoutMs: 30_000,
      headers: {},
    });
    expect(parseConnection({ type: "sandbox" })).toEqual({
      type: "sandbox",
      orderRatePerMinute: 0,
      failureRate: 0,
      seed: 1,
    });
  });

  it("keeps one sandbox per merchant/cart and settings, so its state outlives a run", () => {
    const sandboxes = new Map<string, unknown>();
    const spec = { type: "sandbox", seed: 2 };
    const a = createCartConnector(spec, { merchantId: "m", cartId: "c", sandboxes });
    expect(createCartConnector(spec, { merchantId: "m", cartId: "c", sandboxes })).toBe(a);
    expect(createCartConnector(spec, { merchantId: "m", cartId: "d", sandboxes })).not.toBe(a);
    expect(createWmsConnector(spec, { merchantId: "m", sandboxes })).toBe(
      createWmsConnector(spec, { merchantId: "m", sandboxes }),
    );
  });
});

describe("the runs' connectors and the records they carry (src/records/protocol-map.ts)", () => {
  it("carries an order from a sandbox cart to a sandbox WMS and its tracking back", async () => {
    const c = clock();
    const connectors = createConnectorFactory({ sandboxes: new Map(), now: c.now });
    const spec = { type: "sandbox", orderRatePerMinute: 60 };
    const cart = connectors.cart(spec, { merchantId: "m", cartId: "c1" });
    const wms = connectors.wms(spec, { merchantId: "m" });
    c.t += 2_000;
    const page = ordersPage(await cart.pullOrders(undefined, 100));
    expect(page.items.map((o) => o.externalId)).toEqual(["c1-1", "c1-2"]);
    const now = new Date(c.t);
    const items: BatchItem[] = page.items.map((o) => {
      const record: OrderDoc = {
        _id: `order:m:c1:${o.externalId}`,
        kind: "order",
        merchantId: "m",
        cartId: "c1",
        externalId: o.externalId,
        status: "new",
        payload: o,
        createdAt: now,
        updatedAt: now,
      };
      return { deliveryId: `${record._id}>orderDelivery:wms`, recordId: record._id, record };
    });
    expect(toBatchResult(await wms.pushOrders(items.map(orderOut), "batch-1"))).toEqual({
      ok: ["order:m:c1:c1-1", "order:m:c1:c1-2"],
      failed: [],
    });
    const ships = shipmentsPage("m", await wms.pullShipments(undefined, 100));
    expect(ships.items.map((s) => s.orderId)).toEqual(["order:m:c1:c1-1", "order:m:c1:c1-2"]);
    const levels = levelsPage(await wms.pullInventory(undefined, 100));
    expect(levels.items.length).toBeGreaterThan(0);
    expect(levels.items[0]?.asOf).toBeInstanceOf(Date);
  });

  it("refuses a missing connection; an empty push sends nothing", async () => {
    const connectors = createConnectorFactory({ env: {} });
    const wms = connectors.wms(
      { type: "http", baseUrl: "http://127.0.0.1:9/x", tokenEnv: "NOPE_TOKEN" },
      { merchantId: "m" },
    );
    await expect(wms.pushOrders([], "k").then(toBatchResult)).resolves.toEqual({ ok: [], failed: [] });
    expect(() => connectors.wms(null, { merchantId: "m" })).toThrow(
      "merchant m: connection: no connection block configured",
    );
  });
});
