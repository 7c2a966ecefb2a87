// Parsing a source's page: typed records, or the page refused with the malformed field as data.
import { describe, expect, it } from "vitest";
import { parseInventoryPage, parseOrdersPage } from "../../src/connectors/parse.js";
import { ConnectorError } from "../../src/connectors/port.js";

const order = {
  externalId: "1001",
  cartId: "shop-eu",
  placedAt: "2024-03-01T10:00:00Z",
  lines: [{ sku: "TEE-M", qty: 2 }],
  shipTo: { city: "Lyon", country: "FR" },
};

function refusal(parse: () => unknown): ConnectorError {
  try {
    parse();
  } catch (err) {
    if (err instanceof ConnectorError) return err;
    throw err;
  }
  throw new Error("the page was accepted");
}

describe("parse", () => {
  it("gives typed orders as the protocol defines them", () => {
    const page = parseOrdersPage({ orders: [order], cursor: "1", more: false });
    expect(page).toEqual({ orders: [order], cursor: "1", more: false });
  });

  it("names the malformed field of a refused page, without defaulting it", () => {
    const late = refusal(() =>
      parseOrdersPage({ orders: [order, { ...order, placedAt: "yesterday" }], cursor: "2", more: false }),
    );
    expect(late).toMatchObject({ kind: "protocol", field: "orders[1].placedAt" });
    const noLines = refusal(() =>
      parseOrdersPage({ orders: [{ ...order, lines: undefined }], cursor: "2", more: false }),
    );
    expect(noLines).toMatchObject({ kind: "protocol", field: "orders[0].lines" });
    const qty = refusal(() =>
      parseInventoryPage({
        levels: [{ sku: "S1", available: "4", asOf: order.placedAt }],
        cursor: "3",
        more: false,
      }),
    );
    expect(qty).toMatchObject({ kind: "protocol", field: "levels[0].available" });
  });
});
