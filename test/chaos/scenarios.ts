// The chaos scenarios, in the order `npm run chaos` runs them.

import * as concurrentReconcilers from "./concurrent-reconcilers.js";
import * as hostileConfig from "./hostile-config.js";
import * as hostilePeer from "./hostile-peer.js";
import type { ScenarioOptions, ScenarioResult } from "./lib/types.js";
import * as reconcilerCrash from "./reconciler-crash.js";
import * as secrets from "./secrets.js";
import * as storeOutage from "./store-outage.js";
import * as webhookAbuse from "./webhook-abuse.js";
import * as workerCrash from "./worker-crash.js";

export interface Scenario {
  name: string;
  run(opts: ScenarioOptions): Promise<ScenarioResult>;
}

export const SCENARIOS: Scenario[] = [
  workerCrash,
  reconcilerCrash,
  concurrentReconcilers,
  secrets,
  storeOutage,
  hostileConfig,
  hostilePeer,
  webhookAbuse,
];
