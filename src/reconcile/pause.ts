// The emergency pause (`schedsync pause` / `resume`): a record in the store that the reconciler
// honours (plan.ts lists the held jobs, apply never writes them), like Flux's `suspend: true`.
import type { Db } from "mongodb";
import { deletePause, listPauses, type Pause, savePause } from "../jobs/pauses.js";
import { keysUnder, pauseJobs, readOwnedJobs, releaseJobs } from "../jobs/repository.js";

/** A pause or resume that cannot be done; nothing was written. */
export class PauseError extends Error {}

const ID = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
/** "<merchant>", "<merchant>/<cart>", or a job key "<merchant>[/<cart>]/<service>". */
const TARGET = new RegExp(`^${ID}(/${ID}){0,2}$`);

export interface PauseResult {
  pause: Pause;
  /** The keys the pause holds. */
  keys: string[];
}

async function knownMerchants(db: Db): Promise<string> {
  const ids = [...new Set((await readOwnedJobs(db)).map((j) => j.spec.merchantId))].sort();
  return ids.length ? ids.join(", ") : "none";
}

/**
 * Pauses the managed jobs `target` names. Errors (PauseError, nothing written): a malformed target,
 * one that names no managed job, one already paused, an `until` not after `now`.
 */
export async function pause(
  db: Db,
  p: { target: string; by: string; reason: string; until: Date | null; now?: Date },
): Promise<PauseResult> {
  const now = p.now ?? new Date();
  if (!TARGET.test(p.target))
    throw new PauseError(
      `"${p.target}" is not <merchant>, <merchant>/<cart> or a job key like acme/web/orderDownload`,
    );
  if (p.reason.trim() === "")
    throw new PauseError("--reason must say why (it is shown wherever the pause is)");
  if (p.until && p.until.getTime() <= now.getTime())
    throw new PauseError(`--until ${p.until.toISOString()} is not in the future`);
  const existing = (await listPauses(db)).find((x) => x.target === p.target);
  if (existing)
    throw new PauseError(
      `${p.target} is already paused by ${existing.by} since ${existing.since}: ${existing.reason} (resume it first)`,
    );
  if ((await keysUnder(db, p.target)).length === 0)
    throw new PauseError(
      `no managed jobs under "${p.target}" (merchants with jobs: ${await knownMerchants(db)}); see \`schedsync status\``,
    );
  const record: Pause = {
    target: p.target,
    by: p.by,
    reason: p.reason.trim(),
    since: now.toISOString(),
    until: p.until ? p.until.toISOString() : null,
  };
  // The record first: a crash before the jobs are marked leaves a pause the next plan still honours
  // for new jobs, and `resume` can remove.
  await savePause(db, record);
  return { pause: record, keys: await pauseJobs(db, record) };
}

/** Ends the pause of `target` (PauseError when there is none). Returns it and the keys released. */
export async function resume(db: Db, target: string, now = new Date()): Promise<PauseResult> {
  const all = await listPauses(db);
  const found = all.find((x) => x.target === target);
  if (!found)
    throw new PauseError(
      `no pause on "${target}" (paused: ${all.map((x) => x.target).join(", ") || "none"})`,
    );
  await deletePause(db, target);
  const keys = await releaseJobs(
    db,
    target,
    all.filter((x) => x !== found),
    now,
  );
  return { pause: found, keys };
}
