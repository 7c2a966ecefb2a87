// A service that runs talks to a system: the merchant's services to its WMS, a cart's services to
// the cart. One that runs without a `connection` would fail every run ("no connection block
// configured"), so the loader warns here, at the service, with what to add. A warning, not an error:
// schedules written before connections existed (and inputs that only explain or simulate) still load.
// Merchants and carts suspended without an `until` are not checked: their jobs are disabled, and
// resuming them is an edit that is checked again (one with an `until` resumes by itself).
import {
  CART_SERVICES,
  type CartModel,
  MERCHANT_SERVICES,
  type MerchantModel,
  type ScheduleModel,
  type ServiceName,
} from "../schedule/model.js";

export interface MissingConnection {
  owner: MerchantModel | CartModel;
  /** The services that would run, in schema order. */
  services: ServiceName[];
  message: string;
}

const HOW =
  "add spec.connection: { type: sandbox } to try it with the built-in simulator, or " +
  "{ type: http, baseUrl: <url>, tokenEnv: <NAME_OF_TOKEN_VARIABLE> } for the real system";

function running(services: Record<string, { kind: string }>, names: readonly ServiceName[]): ServiceName[] {
  return names.filter((s) => services[s]?.kind !== "off");
}

/** Suspended with no end (an `until` resumes without an edit, so that one still counts as running). */
function heldForGood(owner: MerchantModel | CartModel, merchant: MerchantModel): boolean {
  if (!owner.suspended) return false;
  const own = owner.suspension;
  if (own && own.services === null) return own.until === null;
  // A cart suspended through its merchant.
  return merchant.suspension?.until == null;
}

/** Each enabled merchant or cart with a running service and no connection, with what to add. */
export function missingConnections(model: ScheduleModel): MissingConnection[] {
  const out: MissingConnection[] = [];
  for (const m of model.merchants) {
    const ms = running(m.services, MERCHANT_SERVICES);
    if (!heldForGood(m, m) && !m.connection && ms.length > 0) {
      const what = `${ms.join(", ")} ${ms.length === 1 ? "runs" : "run"} against the merchant's WMS`;
      out.push({
        owner: m,
        services: ms,
        message: `merchant "${m.id}" has no connection, but ${what}; ${HOW}`,
      });
    }
    for (const c of m.carts) {
      const cs = running(c.services, CART_SERVICES);
      if (heldForGood(c, m) || c.connection || cs.length === 0) continue;
      const what = `${cs.join(", ")} ${cs.length === 1 ? "runs" : "run"} against the cart`;
      out.push({
        owner: c,
        services: cs,
        message: `cart "${m.id}/${c.id}" has no connection, but ${what}; ${HOW}`,
      });
    }
  }
  return out;
}
