// connection.rateLimit: bad values are errors at file:line:col; schedules that need more calls an
// hour than the budget allows are a warning there; the connectors read the same block.
import { describe, expect, it } from "vitest";
import { formatReport } from "../../src/cli/views/validate.js";
import { loadSchedules } from "../../src/config/load.js";
import { ConnectorError, parseConnection } from "../../src/connectors/index.js";
import { budgetKey, parseRateLimit } from "../../src/schedule/rate-limit.js";

const load = (text: string) => loadSchedules({ rootDir: "/x", files: new Map([["schedules/m.yaml", text]]) });

const MERCHANT = `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: acme }
spec:
  services: { orderDelivery: automatic, shippingConfirmations: { every: 30m }, inventory: off }
  connection: { type: sandbox }
---
`;
const cart = (rateLimit: string, every = "5m") => `apiVersion: schedsync/v1
kind: Cart
metadata: { id: web, merchant: acme }
spec:
  services: { orderDownload: { every: ${every} }, shipmentUpload: automatic, inventoryUpload: off }
  connection:
    type: http
    baseUrl: https://acme.example.com/admin/api/
    tokenEnv: ACME_TOKEN
    rateLimit: ${rateLimit}
`;

async function errors(rateLimit: string): Promise<string[]> {
  const r = await load(MERCHANT + cart(rateLimit));
  if (r.ok) return [];
  return r.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`);
}

describe("connection.rateLimit in the schedules", () => {
  it("accepts a budget, burst defaulting to requests", async () => {
    const r = await load(MERCHANT + cart("{ requests: 2, per: 1s, burst: 40 }"));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings).toEqual([]);
    expect(parseRateLimit({ requests: 3, per: "1m" })).toEqual({
      ok: true,
      limit: { requests: 3, perMs: 60_000, burst: 3 },
    });
  });

  it("points at each bad value with what is allowed", async () => {
    const at = (where: string, message: string) => [`schedules/m.yaml:17:${where}: ${message}`];
    expect(await errors("{ requests: 0, per: 1s }")).toEqual(
      at("28", "connection.rateLimit.requests: 0 is out of range; the minimum is 1"),
    );
    expect(await errors("{ requests: 1.5, per: 1s }")).toEqual(
      at("28", "connection.rateLimit.requests: 1.5 must be a whole number"),
    );
    expect(await errors("{ requests: 2, per: 500ms }")).toEqual(
      at(
        "36",
        'connection.rateLimit.per must be at least 1s, got "500ms" (a budget is a number of requests per second, minute or hour)',
      ),
    );
    expect(await errors("{ requests: 2, per: soon }")).toEqual(
      at(
        "36",
        'connection.rateLimit.per: "soon" is not a duration; use d, h, m, s (largest first), e.g. 30s, 5m, 1h30m, 1d',
      ),
    );
    expect(await errors("{ requests: 2, per: 1s, burst: 0 }")).toEqual(
      at("47", "connection.rateLimit.burst: 0 is out of range; the minimum is 1"),
    );
    expect(await errors("{ requests: 2 }")).toEqual(
      at("5", 'connection.rateLimit: missing required field "per"'),
    );
    expect(await errors("{ requests: 2, per: 1s, bucket: 40 }")).toEqual(
      at("40", 'unknown field "bucket" in connection.rateLimit; allowed: requests, per, burst'),
    );
  });

  it("warns at the rateLimit when the schedules need more calls an hour than the budget allows", async () => {
    // Every 1m is 60 runs an hour; 1 per 1m with a burst of 5 allows 65: fine. 1 per 2m allows 35.
    const fine = await load(MERCHANT + cart("{ requests: 1, per: 1m, burst: 5 }", "1m"));
    if (!fine.ok) throw new Error(JSON.stringify(fine.errors));
    expect(fine.warnings).toEqual([]);
    const over = await load(MERCHANT + cart("{ requests: 1, per: 2m, burst: 5 }", "1m"));
    if (!over.ok) throw new Error(JSON.stringify(over.errors));
    expect(over.warnings.map((w) => `${w.line}:${w.column}: ${w.message}`)).toEqual([
      "17:5: connection.rateLimit: the schedules of acme/web need at least 60 API calls in their busiest hour " +
        "(one per run of each periodic service), more than the budget allows: 35 an hour (1 per 2m, burst 5); " +
        "runs will wait for tokens or end early. Run less often, or raise the budget if the platform allows it",
    ]);
    // A warning: validate still says valid.
    const report = formatReport(over, "text", "schedules").split("\n");
    expect(report[0]).toMatch(
      /^schedules\/m.yaml:17:5: warning: connection.rateLimit: the schedules of acme\/web/,
    );
    expect(report[1]).toBe("schedules: valid (2 documents: 1 merchant, 1 cart)");
  });

  it("is read by the connectors, with the same checks", () => {
    const spec = {
      type: "sandbox",
      rateLimit: { requests: 2, per: "1s", burst: 40 },
    };
    expect(parseConnection(spec)).toMatchObject({ rateLimit: { requests: 2, perMs: 1000, burst: 40 } });
    const bad = () =>
      parseConnection({ type: "sandbox", rateLimit: { requests: 2, per: "100ms" } }, "cart a/b");
    expect(bad).toThrow(ConnectorError);
    expect(bad).toThrow('cart a/b: rateLimit.per must be at least 1s, got "100ms"');
  });

  it("names one budget per remote account: base URL and token variable, or the sandbox's owner", () => {
    const http = { type: "http", baseUrl: "https://Shop.example.com/admin/api/?x=1", tokenEnv: "SHOP_TOKEN" };
    expect(budgetKey(http, { merchantId: "a", cartId: "b" })).toBe(
      "http https://shop.example.com/admin/api SHOP_TOKEN",
    );
    expect(budgetKey(http, { merchantId: "other" })).toBe(budgetKey(http, { merchantId: "a", cartId: "b" }));
    expect(budgetKey({ type: "sandbox" }, { merchantId: "a", cartId: "b" })).toBe("sandbox a/b");
    expect(budgetKey({ type: "sandbox" }, { merchantId: "a" })).toBe("sandbox a/wms");
  });
});
