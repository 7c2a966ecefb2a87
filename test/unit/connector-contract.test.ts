// The shared contract, run for both adapters: http against a real local server, sandbox in process.

import { createCartConnector, createWmsConnector } from "../../src/connectors/index.js";
import type { CartConnector, WmsConnector } from "../../src/connectors/port.js";
import { SandboxCart, SandboxWms } from "../../src/connectors/sandbox.js";
import type { Rejection } from "../../src/connectors/sim.js";
import { connectorContract } from "../contract/connector-contract.js";
import { startFakeHub } from "../helpers/fake-hub-server.js";

const env = { HUB_TEST_TOKEN: "test-token" };
const http = (baseUrl: string) => ({ type: "http", baseUrl, tokenEnv: "HUB_TEST_TOKEN" });

connectorContract(
  "http",
  async () => {
    const hub = await startFakeHub();
    const cart: CartConnector = createCartConnector(http(hub.cartUrl("c1")), {
      merchantId: "m1",
      cartId: "c1",
      env,
    });
    return { cart, sim: hub.cart("c1"), rejects: hub.failIds, close: hub.close };
  },
  async () => {
    const hub = await startFakeHub();
    const wms: WmsConnector = createWmsConnector(http(hub.wmsUrl), { merchantId: "m1", env });
    return { wms, sim: hub.wms, rejects: hub.failIds, close: hub.close };
  },
);

connectorContract(
  "sandbox",
  async () => {
    const rejects = new Map<string, NonNullable<Rejection>>();
    const cart = new SandboxCart("c1", { reject: (_k, id) => rejects.get(id) });
    return { cart, sim: cart.sim, rejects };
  },
  async () => {
    const rejects = new Map<string, NonNullable<Rejection>>();
    const wms = new SandboxWms({ reject: (_k, id) => rejects.get(id) });
    return { wms, sim: wms.sim, rejects };
  },
);
