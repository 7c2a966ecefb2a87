// Operations behind `schedsync run` and `schedsync resend`: run one key now in this process,
// and resend records then trigger their Automatic services.
import type { Db } from "mongodb";
import { findSpecs, loadSpec } from "../jobs/repository.js";
import { ensureRecordIndexes, type ResendResult, resend } from "../records/index.js";
import { describeWindow } from "../schedule/blackout.js";
import { blackoutNow } from "./blackout.js";
import type { RuntimeContext } from "./context.js";
import type { RunReport } from "./handlers/index.js";
import { runKey } from "./run-key.js";
import { trigger } from "./trigger.js";
import { createAgenda, resolveOptions, type WorkerOptions } from "./worker.js";

function context(db: Db, options: WorkerOptions): RuntimeContext {
  const opts = resolveOptions(options);
  return { db, agenda: createAgenda(db, opts), opts, stopping: false };
}

/** A run `runNow` did not start because the key is inside a blackout window. */
export interface BlackoutRefusal {
  refused: "blackout";
  window: string;
  /** ISO 8601: when the blackout ends. */
  until: string;
}

/**
 * Runs a service key once, here and now (under the same per-key lease as the workers). Inside one
 * of the key's blackout windows it runs nothing and says so, unless `ignoreBlackout`.
 */
export async function runNow(
  db: Db,
  key: string,
  options: WorkerOptions,
  o: { ignoreBlackout?: boolean } = {},
): Promise<RunReport | "busy" | BlackoutRefusal> {
  const spec = await loadSpec(db, key);
  if (!spec) throw new Error(`no job with key ${key} (see \`schedsync status\`)`);
  const held = o.ignoreBlackout ? null : blackoutNow(spec);
  if (held)
    return { refused: "blackout", window: describeWindow(held.window), until: held.end.toISOString() };
  await ensureRecordIndexes(db);
  const ctx = context(db, options);
  await ctx.agenda.ready;
  return runKey(ctx, spec);
}

/** Resends and asks a run of each Automatic service concerned; periodic ones send on their next run. */
export async function resendAndTrigger(
  db: Db,
  ids: string[],
  options: WorkerOptions,
): Promise<ResendResult & { triggered: string[] }> {
  const r = await resend(db, ids);
  const ctx = context(db, options);
  await ctx.agenda.ready;
  const triggered: string[] = [];
  for (const s of r.scopes) {
    const specs = await findSpecs(db, { merchantId: s.merchantId, service: s.service });
    for (const spec of specs.filter((x) => x.cartId === s.cartId)) {
      if (await trigger(ctx, spec)) triggered.push(spec.key);
    }
  }
  return { ...r, triggered };
}
