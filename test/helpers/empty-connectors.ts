// Connectors with nothing to move: every pull answers an empty page that leaves the cursor at "c1",
// every push takes nothing. For runs whose store cost is measured or checked, not their records.
import type { ConnectorFactory } from "../../src/connectors/index.js";

const end = { cursor: "c1", more: false };

export const EMPTY_CONNECTORS: ConnectorFactory = {
  cart: () => ({
    pullOrders: async () => ({ ...end, orders: [] }),
    pushShipments: async () => [],
    pushInventory: async () => [],
  }),
  wms: () => ({
    pushOrders: async () => [],
    pullShipments: async () => ({ ...end, shipments: [] }),
    pullInventory: async () => ({ ...end, levels: [] }),
  }),
};
