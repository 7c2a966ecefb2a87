// A named lease per database (one reconcile at a time, one run per key): a lease document. A
// holder that crashes loses the lease when it expires; a live holder renews it while it works.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Db } from "mongodb";
import { randomDelay } from "./jitter.js";

export const LOCKS = "schedsync_locks";

export interface Lease {
  holder: string;
  /** Throws if the lease was lost (another holder took it after expiry). */
  renew(): Promise<void>;
  /**
   * Ends the lease. With `record` (fields to keep, e.g. the last run's outcome), in one update that
   * keeps the document, free (holder null, expired), with those fields on it; without, deletes it.
   */
  release(record?: Record<string, unknown>): Promise<void>;
}

export class LockBusyError extends Error {
  constructor(
    readonly heldBy: string,
    readonly expiresAt: Date,
  ) {
    super(`another reconcile holds the lock (${heldBy}) until ${expiresAt.toISOString()}`);
    this.name = "LockBusyError";
  }
}

interface LockDoc {
  _id: string;
  /** null: released with a record kept on the document (Lease.release). */
  holder: string | null;
  expiresAt: Date;
  acquiredAt: Date;
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number }).code === 11000;
}

export async function tryAcquire(db: Db, name: string, leaseMs: number): Promise<Lease | undefined> {
  const col = db.collection<LockDoc>(LOCKS);
  const holder = `${processHolderPrefix()}${randomBytes(4).toString("hex")}`;
  const now = new Date();
  try {
    // Matches only a free (expired) lock; when none matches, the upsert's insert collides on _id.
    // The write is atomic (MongoDB; the embedded store's write serializer), so its counts say
    // whether this holder got the lease: no read-back.
    const r = await col.updateOne(
      { _id: name, expiresAt: { $lt: now } },
      { $set: { holder, expiresAt: new Date(now.getTime() + leaseMs), acquiredAt: now } },
      { upsert: true },
    );
    if (r.modifiedCount + r.upsertedCount !== 1) return undefined;
  } catch (err) {
    if (isDuplicateKey(err)) return undefined;
    throw err;
  }
  return {
    holder,
    renew: async () => {
      const r = await col.updateOne(
        { _id: name, holder },
        { $set: { expiresAt: new Date(Date.now() + leaseMs) } },
      );
      if (r.matchedCount !== 1) throw new Error(`lost the ${name} lock`);
    },
    release: async (record) => {
      if (!record) await col.deleteOne({ _id: name, holder });
      else
        await col.updateOne(
          { _id: name, holder },
          { $set: { ...record, holder: null, expiresAt: new Date(0) } },
        );
    },
  };
}

/** The start of every holder this process gives its leases (tryAcquire: host:pid:random). */
export function processHolderPrefix(): string {
  return `${hostname()}:${process.pid}:`;
}

/**
 * Frees the leases named `namePrefix`… that this process holds, keeping their documents (and any
 * record on them), as release(record) does: for a process about to exit while their holders still
 * run, so the next holder does not wait up to leaseMs for them to expire. Returns how many.
 */
export async function releaseProcessLeases(db: Db, namePrefix: string): Promise<number> {
  const r = await db.collection<LockDoc>(LOCKS).updateMany(
    {
      _id: { $regex: `^${escapeRegex(namePrefix)}` },
      holder: { $regex: `^${escapeRegex(processHolderPrefix())}` },
    },
    { $set: { holder: null, expiresAt: new Date(0) } },
  );
  return r.modifiedCount;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Waits up to waitMs for the lock; LockBusyError names the holder if it stays taken. */
export async function acquire(
  db: Db,
  name: string,
  opts: { leaseMs: number; waitMs: number },
): Promise<Lease> {
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    const lease = await tryAcquire(db, name, opts.leaseMs);
    if (lease) return lease;
    if (Date.now() >= deadline) {
      const doc = await db.collection<LockDoc>(LOCKS).findOne({ _id: name });
      throw new LockBusyError(doc?.holder ?? "unknown", doc?.expiresAt ?? new Date());
    }
    await new Promise((r) => setTimeout(r, randomDelay(100, 150)));
  }
}

/**
 * Keeps a lease alive in the background while fn runs; fn fails if the lease is lost. `record`,
 * called as the lease ends (after fn, whether it returned or threw), gives fields the release keeps.
 */
export async function withLease<T>(
  lease: Lease,
  leaseMs: number,
  fn: () => Promise<T>,
  record?: () => Record<string, unknown> | undefined,
): Promise<T> {
  let lost: unknown;
  const timer = setInterval(
    () => {
      lease.renew().catch((err) => {
        lost = err;
      });
    },
    Math.max(250, leaseMs / 3),
  );
  try {
    const out = await fn();
    if (lost) throw lost;
    return out;
  } finally {
    clearInterval(timer);
    await lease.release(record?.()).catch(() => {});
  }
}

/** A lease as stored: its name, holder and end. */
export interface LeaseInfo {
  name: string;
  holder: string;
  expiresAt: Date;
}

/** Leases named `prefix…` that ended before `now`: their holder died or hung (a live one renews). */
export async function expiredLeases(db: Db, prefix: string, now = new Date()): Promise<LeaseInfo[]> {
  // A range on _id rather than a regex: the _id index answers it on MongoDB and FerretDB.
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const docs = await db
    .collection<LockDoc>(LOCKS)
    .find({ _id: { $gte: prefix, $lt: end }, expiresAt: { $lt: now }, holder: { $ne: null } })
    .toArray();
  return docs.flatMap((d) => (d.holder ? [{ name: d._id, holder: d.holder, expiresAt: d.expiresAt }] : []));
}

/** Deletes an expired lease once its work was handed on, unless someone took it meanwhile. */
export async function dropExpiredLease(db: Db, lease: LeaseInfo): Promise<void> {
  await db
    .collection<LockDoc>(LOCKS)
    .deleteOne({ _id: lease.name, holder: lease.holder, expiresAt: lease.expiresAt });
}
