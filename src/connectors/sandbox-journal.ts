// Where a sandbox keeps its state between processes: an append-only journal of what changed it
// (orders made, pushes decided), one entry per sequence number. Every process that uses a sandbox
// replays the entries it has not seen before each call, so `schedsync run` and the workers share
// one simulated cart or WMS, and a restart finds the same orders, shipments and stock again.
// Two processes that append the same seq: the insert of one fails on the unique _id and it
// rebuilds from the journal and tries again (optimistic concurrency).
import type { Db } from "mongodb";
import type { InventoryOut, Order, OrderOut, RecordResult, ShipmentOut } from "./port.js";
import type { PushKind } from "./sim.js";

export const SANDBOX_JOURNAL = "sandbox_journal";

/** What changed a sandbox; `at` (epoch ms) is the sandbox clock when it happened. */
export type JournalEntry =
  | { op: "orders"; at: number; clockAt: number; orders: Order[] }
  | {
      op: "push";
      at: number;
      kind: PushKind;
      key: string;
      batch: (OrderOut | ShipmentOut | InventoryOut)[];
      results: RecordResult[];
    };

export interface SandboxJournal {
  /** Entries of one sandbox after seq (1-based), in order. */
  since(sandbox: string, seq: number): Promise<JournalEntry[]>;
  /** Writes the entry as number seq; false when another writer has that number already. */
  append(sandbox: string, seq: number, entry: JournalEntry): Promise<boolean>;
}

interface JournalDoc {
  _id: string;
  sandbox: string;
  seq: number;
  entry: JournalEntry;
}

const docId = (sandbox: string, seq: number) => `${sandbox}#${seq}`;
const DUPLICATE_KEY = 11000;

/** The journal in the store's `sandbox_journal` collection. */
export function storeJournal(db: Db): SandboxJournal {
  const col = db.collection<JournalDoc>(SANDBOX_JOURNAL);
  return {
    async since(sandbox, seq) {
      if (seq === 0) {
        // Start-up: one read of the whole history (a scan in FerretDB, so only once).
        const docs = await col.find({ sandbox }).toArray();
        docs.sort((a, b) => a.seq - b.seq);
        const out: JournalEntry[] = [];
        for (const d of docs) {
          if (d.seq !== out.length + 1) break;
          out.push(d.entry);
        }
        return out;
      }
      // Later: point lookups by _id (indexed everywhere) until the first number not written.
      const out: JournalEntry[] = [];
      for (let n = seq + 1; ; n++) {
        const d = await col.findOne({ _id: docId(sandbox, n) });
        if (!d) return out;
        out.push(d.entry);
      }
    },
    async append(sandbox, seq, entry) {
      try {
        await col.insertOne({ _id: docId(sandbox, seq), sandbox, seq, entry });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === DUPLICATE_KEY) return false;
        throw err;
      }
    },
  };
}
