// The contract every chaos scenario module follows (see test/chaos/run.ts).
export type Scale = "short" | "full";

export interface ScenarioOptions {
  scale: Scale;
  /** A MongoDB URI without a database; the scenario makes its own databases on it. Default: its own embedded store. */
  storeUri?: string;
}

export interface ScenarioResult {
  name: string;
  figures: Record<string, number | string>;
  goalsMet: boolean;
  failures: string[];
}

/** Collects figures and goal checks; a missed goal is a failure line. */
export class Outcome {
  readonly figures: Record<string, number | string> = {};
  readonly failures: string[] = [];
  constructor(readonly name: string) {}

  figure(key: string, value: number | string): void {
    this.figures[key] = typeof value === "number" ? round(value) : value;
  }

  goal(ok: boolean, failure: string): void {
    if (!ok) this.failures.push(failure);
  }

  result(): ScenarioResult {
    return {
      name: this.name,
      figures: this.figures,
      goalsMet: this.failures.length === 0,
      failures: this.failures,
    };
  }
}

function round(n: number): number {
  return Number.isInteger(n) ? n : Math.round(n * 100) / 100;
}

/** Progress lines on stderr when CHAOS_VERBOSE is set. */
export function trace(line: string): void {
  if (process.env.CHAOS_VERBOSE) console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
}
