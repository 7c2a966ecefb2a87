// Automatic: a trigger asks for one debounced run per service key. Agenda's database-backed
// debounce (unique + debounce) coalesces triggers from every process into one job per generation.
import { DEFAULT_AUTOMATIC_WINDOW_MS } from "../config/model.js";
import type { RuntimeContext } from "./context.js";
import { type ServiceSpec, TRIGGER_JOB } from "./jobs.js";
import { currentGen } from "./runs.js";

export interface TriggerData {
  key: string;
  gen: number;
}

/** True when a run was asked for: the service is Automatic and not suspended. */
export async function trigger(
  ctx: Pick<RuntimeContext, "db" | "agenda" | "opts">,
  spec: ServiceSpec,
  delayMs?: number,
): Promise<boolean> {
  if (spec.schedule.kind !== "automatic" || spec.disabled) return false;
  const windowMs = ctx.opts.windowMs ?? spec.schedule.windowMs ?? DEFAULT_AUTOMATIC_WINDOW_MS;
  const delay = Math.max(1, delayMs ?? windowMs);
  const gen = await currentGen(ctx.db, spec.key);
  // maxWait bounds the latency while records keep arriving faster than the window.
  await ctx.agenda
    .create<TriggerData>(TRIGGER_JOB, { key: spec.key, gen })
    .unique({ "data.key": spec.key, "data.gen": gen })
    .debounce(delay, { maxWait: 2 * delay })
    .save();
  return true;
}

export async function triggerAll(
  ctx: Pick<RuntimeContext, "db" | "agenda" | "opts">,
  specs: ServiceSpec[],
  delayMs?: number,
): Promise<string[]> {
  const fired: string[] = [];
  for (const s of specs) if (await trigger(ctx, s, delayMs)) fired.push(s.key);
  return fired;
}
