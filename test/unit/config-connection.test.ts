// A service that runs needs a connection: the loader (so validate, explain, plan and apply) warns
// where and what to add; the revision still loads (field-case inputs and older repos have none). A merchant's orderRatePerMinute, which nothing reads, is a warning.
import { describe, expect, it } from "vitest";
import { formatReport } from "../../src/cli/views/validate.js";
import { loadSchedules } from "../../src/config/load.js";

const load = (text: string) => loadSchedules({ rootDir: "/x", files: new Map([["schedules/m.yaml", text]]) });

const MERCHANT = `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: acme }
spec:
  services:
    orderDelivery: off
    shippingConfirmations: { every: 30m }
    inventory: off
`;
const CART = `apiVersion: schedsync/v1
kind: Cart
metadata: { id: web, merchant: acme }
spec:
  services: { orderDownload: { every: 5m }, shipmentUpload: off, inventoryUpload: off }
`;

describe("services that need a connection", () => {
  it("reports each merchant and cart without one at its first running service, saying what to add", async () => {
    const r = await load(`${MERCHANT}---\n${CART}`);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings.map(({ file, line, column }) => `${file}:${line}:${column}`)).toEqual([
      "schedules/m.yaml:7:5",
      "schedules/m.yaml:14:15",
    ]);
    expect(r.warnings[0]?.message).toBe(
      'merchant "acme" has no connection, but shippingConfirmations runs against the merchant\'s WMS; ' +
        "add spec.connection: { type: sandbox } to try it with the built-in simulator, or " +
        "{ type: http, baseUrl: <url>, tokenEnv: <NAME_OF_TOKEN_VARIABLE> } for the real system",
    );
    expect(formatReport(r, "text", "schedules").split("\n")[0]).toMatch(
      /^schedules\/m.yaml:7:5: warning: merchant "acme" has no connection/,
    );
    expect(r.warnings[1]?.message).toMatch(
      /^cart "acme\/web" has no connection, but orderDownload runs against the cart; add spec.connection/,
    );
  });

  it("points at spec when every running service comes from defaults", async () => {
    const r = await load(
      "apiVersion: schedsync/v1\nkind: Merchant\nmetadata: { id: acme }\nspec:\n  timezone: UTC\n",
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings).toEqual([
      expect.objectContaining({
        line: 5,
        column: 3,
        message: expect.stringContaining("orderDelivery, shippingConfirmations, inventory run against"),
      }),
    ]);
  });

  it("accepts a connection on each, suspended ones without, and services that are all off", async () => {
    const connected = `${MERCHANT}  connection: { type: sandbox }\n---\n${CART}  connection: { type: sandbox }\n`;
    const quiet = async (text: string) => {
      const r = await load(text);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return r.warnings;
    };
    expect(await quiet(connected)).toEqual([]);
    expect(await quiet(`${MERCHANT}  suspended: true\n---\n${CART}  suspended: true\n`)).toEqual([]);
    expect(await quiet(MERCHANT.replace("{ every: 30m }", "off"))).toEqual([]);
  });

  it("warns that a merchant's orderRatePerMinute is not read", async () => {
    const text = `${MERCHANT}  connection: { type: sandbox, orderRatePerMinute: 5 }\n`;
    const r = await load(text);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings).toEqual([
      expect.objectContaining({
        line: 9,
        column: 32,
        message: expect.stringContaining("put it on each Cart's sandbox connection"),
      }),
    ]);
  });
});
