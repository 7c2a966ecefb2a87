// Every apply leaves a record; the applied revision is a separate single document that is only
// written after a plan has been applied in full.
import type { Db } from "mongodb";
import type { PlanSummary } from "../jobs/types.js";
import type { GuardHit, GuardName } from "./guards.js";

export const HISTORY = "schedsync_history";
export const STATE = "schedsync_state";

export type { PlanSummary };

export interface HistoryEntry {
  revision: string;
  author: string;
  message: string;
  /** When the reconcile lock was taken, and when the entry was written. */
  startedAt: Date;
  finishedAt: Date;
  /** The whole reconcile in ms, from reading the revision (as its log line), not only the locked part. */
  durationMs: number;
  outcome: "applied" | "in-sync" | "failed" | "refused";
  summary?: PlanSummary;
  error?: string;
  holder?: string;
  /** The guards this apply hit (guards.ts); a `rollback` hit with allowed: true is a rollback. */
  guards?: GuardHit[];
  /** Present when guards were allowed: who approved (e.g. the GitHub actor) and which. */
  approval?: { by: string; allow: GuardName[] };
}

export interface AppliedState {
  revision: string;
  appliedAt: Date;
  author?: string;
  message?: string;
  /** The revision's contentId (source.ts) and the engine's DESIRED_FORMAT when it was applied. */
  contentId?: string;
  format?: string;
  /** When every managed job was last compared with the revision and found (or made) equal. */
  checkedAt?: Date;
  jobs?: number;
}

export async function recordHistory(db: Db, entry: HistoryEntry): Promise<void> {
  await db.collection<HistoryEntry>(HISTORY).insertOne({ ...entry });
}

export async function listHistory(db: Db, limit: number): Promise<HistoryEntry[]> {
  return db
    .collection<HistoryEntry>(HISTORY)
    .find({}, { projection: { _id: 0 } })
    .sort({ startedAt: -1 })
    .limit(limit)
    .toArray();
}

export async function readApplied(db: Db): Promise<AppliedState | undefined> {
  const doc = await db.collection<AppliedState & { _id: string }>(STATE).findOne({ _id: "applied" });
  if (!doc) return undefined;
  const { _id, ...rest } = doc;
  return rest;
}

export async function writeApplied(db: Db, state: AppliedState): Promise<void> {
  await db
    .collection<AppliedState & { _id: string }>(STATE)
    .updateOne({ _id: "applied" }, { $set: state }, { upsert: true });
}

/** Before an apply writes: until it finishes, no reconcile may trust an earlier comparison. */
export async function markUnchecked(db: Db): Promise<void> {
  await db
    .collection<AppliedState & { _id: string }>(STATE)
    .updateOne({ _id: "applied" }, { $unset: { checkedAt: "" } });
}
