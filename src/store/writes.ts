// Bulk writes that cost the same on both flavours of store. Callers write for MongoDB; the
// FerretDB 1.24 (sqlite) limits, all measured, are kept here:
// - an `update` command of 100 or more statements drops the connection: at most 50 per command;
// - the cost of a large `_id: { $in }` grows faster than its size: at most 100 ids per statement;
// - each update statement scans the collection (50 updates: 7.3 s on 20,000 jobs) while a
//   delete + insert of 500 whole documents costs about 4 s: updates by _id become rewrites.
import type { AnyBulkWriteOperation, Db, Document, Filter, ObjectId, UpdateFilter } from "mongodb";
import { detectFerretdb } from "./flavor.js";

const UPDATES_PER_COMMAND = 50;
const IDS_PER_STATEMENT = 100;
const REWRITE_CHUNK = 500;

const flavours = new WeakMap<Db, boolean>();

/** Whether db is FerretDB, asked once per Db; an answer that failed (store down) is asked again. */
export async function ferret(db: Db): Promise<boolean> {
  const known = flavours.get(db);
  if (known !== undefined) return known;
  try {
    const f = await detectFerretdb(db);
    flavours.set(db, f);
    return f;
  } catch {
    // Not remembered: the write that follows fails too, and the next one asks again.
    return false;
  }
}

const isUpdate = (op: AnyBulkWriteOperation<Document>) =>
  "updateOne" in op || "updateMany" in op || "replaceOne" in op;

/** Slices of ops with at most `max` update statements each, in order. */
export function* updateSlices<T extends Document>(
  ops: readonly AnyBulkWriteOperation<T>[],
  max = UPDATES_PER_COMMAND,
): Generator<AnyBulkWriteOperation<T>[]> {
  let slice: AnyBulkWriteOperation<T>[] = [];
  let updates = 0;
  for (const op of ops) {
    const update = isUpdate(op as AnyBulkWriteOperation<Document>);
    if (update && updates === max) {
      yield slice;
      slice = [];
      updates = 0;
    }
    slice.push(op);
    if (update) updates++;
  }
  if (slice.length) yield slice;
}

/** collection.bulkWrite; on FerretDB split into commands of at most 50 update statements. */
export async function bulkWrite<T extends Document>(
  db: Db,
  collection: string,
  ops: AnyBulkWriteOperation<T>[],
  opts: { ordered: boolean },
): Promise<void> {
  if (ops.length === 0) return;
  const col = db.collection<T>(collection);
  if (!(await ferret(db))) {
    await col.bulkWrite(ops, opts);
    return;
  }
  for (const slice of updateSlices(ops)) await col.bulkWrite(slice, opts);
}

/** One update applied to every document whose _id is in ids and that matches filter. */
export interface IdsUpdate<T extends Document> {
  ids: readonly unknown[];
  filter: Filter<T>;
  update: UpdateFilter<T>;
}

/** updateMany per group (unordered); on FerretDB at most 100 ids per statement. */
export async function updateManyByIds<T extends Document>(
  db: Db,
  collection: string,
  groups: readonly IdsUpdate<T>[],
): Promise<void> {
  const step = (await ferret(db)) ? IDS_PER_STATEMENT : Number.POSITIVE_INFINITY;
  const ops: AnyBulkWriteOperation<T>[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.ids.length; i += step) {
      const ids = g.ids.slice(i, i + step);
      ops.push({ updateMany: { filter: { ...g.filter, _id: { $in: ids } } as Filter<T>, update: g.update } });
    }
  }
  await bulkWrite(db, collection, ops, { ordered: false });
}

/** A `$set` of top-level or dotted paths on one document, addressed by _id. */
export interface SetById {
  _id: ObjectId;
  $set: Record<string, unknown>;
}

/**
 * Updates documents by _id. On FerretDB they are rewritten (read, delete, insert with the update
 * applied), keeping every field the update does not set; a crash between the delete and the
 * insert leaves those documents missing (callers must be able to create them again). A document
 * that no longer exists is left missing, as an update would.
 */
export async function setByIds(db: Db, collection: string, updates: readonly SetById[]): Promise<void> {
  if (!(await ferret(db))) {
    const ops = updates.map((u) => ({ updateOne: { filter: { _id: u._id }, update: { $set: u.$set } } }));
    await bulkWrite<Document>(db, collection, ops, { ordered: true });
    return;
  }
  const col = db.collection(collection);
  for (let i = 0; i < updates.length; i += REWRITE_CHUNK) {
    const chunk = updates.slice(i, i + REWRITE_CHUNK);
    const ids = chunk.map((u) => u._id);
    const current = new Map((await col.find({ _id: { $in: ids } }).toArray()).map((d) => [String(d._id), d]));
    const docs = chunk.flatMap((u) => {
      const old = current.get(String(u._id));
      return old ? [applySet(old, u.$set)] : [];
    });
    await col.bulkWrite(
      [
        { deleteMany: { filter: { _id: { $in: ids } } } },
        ...docs.map((d) => ({ insertOne: { document: d } })),
      ],
      { ordered: true },
    );
  }
}

/** A copy of doc with $set applied (dotted paths create nested objects, as MongoDB does). */
export function applySet(doc: Document, $set: Record<string, unknown>): Document {
  const out: Document = { ...doc };
  for (const [path, value] of Object.entries($set)) {
    const parts = path.split(".");
    let at: Document = out;
    for (const p of parts.slice(0, -1)) {
      // Copied on the way down, so the document read stays as it was.
      const next = at[p];
      at[p] = next && typeof next === "object" && !Array.isArray(next) ? { ...next } : {};
      at = at[p] as Document;
    }
    at[parts[parts.length - 1] as string] = value;
  }
  return out;
}
