// The apply guards: plans that apply refuses unless someone approved them. Plan reports the guards a
// revision will hit (so a PR shows them before merging); apply refuses, or passes and records who
// approved. Each guard has one apply flag and one commit-trailer value (docs/operations.md).

import type { Plan } from "../jobs/types.js";
import { isAncestor } from "./source.js";

/** The guards, with the apply flag that passes each and the `Schedsync-Allow:` trailer value. */
export const GUARDS = {
  "mass-delete": { flag: "--allow-mass-delete", trailer: "mass-delete" },
  rollback: { flag: "--allow-rollback", trailer: "rollback" },
} as const;

export type GuardName = keyof typeof GUARDS;

/** The trailer key that approves guards in a commit message (`Schedsync-Allow: mass-delete`). */
export const ALLOW_TRAILER = "Schedsync-Allow";

interface GuardBase {
  /** The apply flag that passes this guard. */
  flag: (typeof GUARDS)[GuardName]["flag"];
  /** True when this run was allowed past it (its flag was given); always false in a plan. */
  allowed: boolean;
}

/** More than half of the managed job documents would be deleted. */
export interface MassDeleteHit extends GuardBase {
  guard: "mass-delete";
  deletes: number;
  /** Managed job documents before the apply (duplicates included). */
  managed: number;
}

/** The revision is an ancestor of the applied one: applying it goes back in history. */
export interface RollbackHit extends GuardBase {
  guard: "rollback";
  /** 40-hex SHA of the revision applied now. */
  applied: string;
  revision: string;
}

export type GuardHit = MassDeleteHit | RollbackHit;

/** The mass-delete guard: more than half of `managed` (> 0) documents deleted; undefined if not hit. */
export function massDeleteGuard(plan: Plan, managed: number, allow = false): MassDeleteHit | undefined {
  const deletes = plan.summary.delete;
  if (managed === 0 || deletes <= managed / 2) return undefined;
  return { guard: "mass-delete", flag: GUARDS["mass-delete"].flag, allowed: allow, deletes, managed };
}

/**
 * The rollback guard: `revision` is a strict ancestor of the applied revision in `gitDir`. Undefined
 * when nothing is applied, it is the same revision, or git cannot tell (an unknown commit).
 */
export async function rollbackGuard(
  gitDir: string,
  revision: string,
  applied: { revision: string } | undefined,
  allow = false,
): Promise<RollbackHit | undefined> {
  if (!applied || applied.revision === revision) return undefined;
  if ((await isAncestor(gitDir, revision, applied.revision)) !== true) return undefined;
  return {
    guard: "rollback",
    flag: GUARDS.rollback.flag,
    allowed: allow,
    applied: applied.revision,
    revision,
  };
}

/** One sentence per hit, e.g. "deletes 8 of 14 managed jobs (more than half)". */
export function guardReason(hit: GuardHit): string {
  if (hit.guard === "mass-delete")
    return `deletes ${hit.deletes} of ${hit.managed} managed jobs (more than half)`;
  return `goes back from the applied ${hit.applied.slice(0, 12)} to its ancestor ${hit.revision.slice(0, 12)}`;
}
