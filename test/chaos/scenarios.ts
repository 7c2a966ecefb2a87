// The chaos scenarios, in the order `npm run chaos` runs them.

import type { ScenarioOptions, ScenarioResult } from "./lib/types.js";
import * as hostileConfig from "./hostile-config.js";
import * as reconcilerCrash from "./reconciler-crash.js";
import * as webhookAbuse from "./webhook-abuse.js";

export interface Scenario {
  name: string;
  run(opts: ScenarioOptions): Promise<ScenarioResult>;
}

export const SCENARIOS: Scenario[] = [reconcilerCrash, hostileConfig, webhookAbuse];
