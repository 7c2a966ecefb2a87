// Where API budgets live: one document per budget in `api_budgets`, changed only by
// compare-and-set on a revision number, so every worker process draws on the same bucket.
// Why not one findOneAndUpdate with an aggregation-pipeline update: FerretDB 1.24 refuses them
// ("Aggregation pipelines are not supported yet"; tried on the embedded store); a filter on { _id, rev } with $set/$inc works on both stores (on FerretDB,
// the write serializer of src/store/write-serializer.ts makes each update atomic).
import type { Db } from "mongodb";
import { isDuplicateKey } from "./collections.js";

export const BUDGETS = "api_budgets";

interface BudgetDoc<S> {
  _id: string;
  rev: number;
  state: S;
  updatedAt: Date;
}

/** A change to one budget: from its stored state (undefined: none yet) to the new one and a result. */
export type BudgetChange<S, R> = (state: S | undefined) => { state?: S; result: R };

export interface BudgetStore<S> {
  /** Applies `change` atomically (retried on a concurrent write); no state: nothing written. */
  update<R>(key: string, change: BudgetChange<S, R>): Promise<R>;
  read(key: string): Promise<S | undefined>;
}

/** Concurrent writers that beat this one this many times in a row: the store is the problem. */
const MAX_TRIES = 100;

/** Budgets in the store's `api_budgets` collection. */
export function storeBudgets<S extends object>(db: Db): BudgetStore<S> {
  const col = db.collection<BudgetDoc<S>>(BUDGETS);
  return {
    async read(key) {
      return (await col.findOne({ _id: key }))?.state;
    },
    async update(key, change) {
      for (let i = 0; i < MAX_TRIES; i++) {
        const doc = await col.findOne({ _id: key });
        const { state, result } = change(doc?.state);
        if (!state) return result;
        if (!doc) {
          try {
            // biome-ignore lint/suspicious/noExplicitAny: the driver's OptionalUnlessRequiredId is not inferable here
            await col.insertOne({ _id: key, rev: 1, state, updatedAt: new Date() } as any);
            return result;
          } catch (err) {
            if (isDuplicateKey(err)) continue;
            throw err;
          }
        }
        const r = await col.updateOne(
          { _id: key, rev: doc.rev },
          // biome-ignore lint/suspicious/noExplicitAny: a generic state is not a driver-typed field
          { $set: { state, updatedAt: new Date() } as any, $inc: { rev: 1 } as any },
        );
        if (r.matchedCount === 1) return result;
      }
      throw new Error(`budget ${key}: ${MAX_TRIES} concurrent writes in a row; try again`);
    },
  };
}
