// Automatic: a trigger asks for one run per service key within the window. The first trigger of
// a generation creates the job (unique, insert-only, in the database, so triggers from every
// process coalesce) due at its arrival + window; later ones join it, or bring it forward.
//
// Not Agenda's trailing debounce + maxWait: every trigger pushes a trailing debounce back, and
// the run that maxWait forces is pushed back again by the next trigger (Agenda 6 resets
// debounceStartedAt when it forces a run), so under a steady stream of records a batch waited
// 10 s and more instead of the window (bench: npm run bench -- automatic).

import { PATH, TRIGGER_JOB } from "../jobs/document.js";
import { setNextRun } from "../jobs/repository.js";
import type { JobSpec } from "../jobs/types.js";
import { nextAllowed } from "../schedule/blackout.js";
import { DEFAULT_AUTOMATIC_WINDOW_MS } from "../schedule/model.js";
import type { RuntimeContext } from "./context.js";
import { currentGen } from "./run-state.js";

export interface TriggerData {
  key: string;
  gen: number;
}

/** True when a run was asked for: the service is Automatic and not suspended. */
export async function trigger(
  ctx: Pick<RuntimeContext, "db" | "agenda" | "opts">,
  spec: JobSpec,
  delayMs?: number,
): Promise<boolean> {
  if (spec.schedule.kind !== "automatic" || spec.disabled) return false;
  const windowMs = ctx.opts.windowMs ?? spec.schedule.windowMs ?? DEFAULT_AUTOMATIC_WINDOW_MS;
  await enqueue(ctx, spec, delayMs ?? windowMs);
  return true;
}

/**
 * An extra run of a periodic service, asked for from outside (a cart's order webhook, see
 * src/server/cart-hooks.ts), coalesced like Automatic: requests within windowMs (ms) of the first
 * share its run. The service's own schedule is untouched. False when it is off or suspended.
 */
export async function triggerOnDemand(
  ctx: Pick<RuntimeContext, "db" | "agenda">,
  spec: JobSpec,
  windowMs: number,
): Promise<boolean> {
  if (spec.schedule.kind === "off" || spec.disabled) return false;
  await enqueue(ctx, spec, windowMs);
  return true;
}

/**
 * The trigger job of the key's current generation, due in delayMs at the latest; a due time inside
 * one of the key's blackout windows moves to the window's end (records wait for it).
 */
export async function enqueue(
  ctx: Pick<RuntimeContext, "db" | "agenda">,
  spec: JobSpec,
  delayMs: number,
): Promise<void> {
  const delay = Math.max(1, delayMs);
  const gen = await currentGen(ctx.db, spec.key);
  const due = nextAllowed(spec.blackout, spec.timezone, new Date(Date.now() + delay));
  const job = await ctx.agenda
    .create<TriggerData>(TRIGGER_JOB, { key: spec.key, gen })
    .schedule(due)
    .unique({ [PATH.triggerKey]: spec.key, [PATH.triggerGen]: gen }, { insertOnly: true })
    .save();
  const at = job.attrs.nextRunAt;
  if (at && at > due) {
    // An earlier trigger asked for a later run (a busy retry); this one must not wait for it.
    await setNextRun(ctx.db, job.attrs._id, due, { onlyIfLater: true });
  }
}

export async function triggerAll(
  ctx: Pick<RuntimeContext, "db" | "agenda" | "opts">,
  specs: JobSpec[],
  delayMs?: number,
): Promise<string[]> {
  const fired: string[] = [];
  for (const s of specs) if (await trigger(ctx, s, delayMs)) fired.push(s.key);
  return fired;
}
