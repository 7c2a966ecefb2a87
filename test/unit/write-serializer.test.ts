import { setImmediate as tick } from "node:timers/promises";
import { BSON } from "mongodb";
import { describe, expect, it } from "vitest";
import { CollectionLocks, commandName, writeLockKey } from "../../src/store/write-serializer.js";
import { waitFor } from "../helpers/wait-for.js";

/** An OP_MSG with optional document-sequence sections before its body, as drivers may send. */
function opMsg(body: object, sequences: Buffer[] = []): Buffer {
  const bodySection = Buffer.concat([Buffer.from([0]), Buffer.from(BSON.serialize(body))]);
  const payload = Buffer.concat([Buffer.alloc(4), ...sequences, bodySection]); // flagBits 0
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + payload.length, 0);
  header.writeInt32LE(2013, 12);
  return Buffer.concat([header, payload]);
}

function sequence(id: string, docs: object[]): Buffer {
  const content = Buffer.concat([Buffer.from(`${id}\0`), ...docs.map((d) => Buffer.from(BSON.serialize(d)))]);
  const size = Buffer.alloc(4);
  size.writeInt32LE(4 + content.length, 0);
  return Buffer.concat([Buffer.from([1]), size, content]);
}

describe("commandName", () => {
  it("reads the first key of the body section", () => {
    expect(commandName(opMsg({ findAndModify: "jobs", query: {}, $db: "x" }))).toBe("findAndModify");
    expect(commandName(opMsg({ find: "jobs", $db: "x" }))).toBe("find");
  });
  it("skips document sequences that come before the body", () => {
    const msg = opMsg({ insert: "jobs", $db: "x" }, [sequence("documents", [{ a: 1 }, { b: 2 }])]);
    expect(commandName(msg)).toBe("insert");
  });
  it("returns undefined for other opcodes", () => {
    const msg = opMsg({ insert: "jobs" });
    msg.writeInt32LE(2004, 12); // OP_QUERY
    expect(commandName(msg)).toBeUndefined();
  });
});

describe("writeLockKey", () => {
  it("is the collection of a write, undefined for a read", () => {
    expect(writeLockKey(opMsg({ update: "agendaJobs", updates: [], $db: "x" }))).toBe("agendaJobs");
    expect(writeLockKey(opMsg({ findAndModify: "jobs", query: {}, $db: "x" }))).toBe("jobs");
    expect(writeLockKey(opMsg({ find: "jobs", $db: "x" }))).toBeUndefined();
  });
  it("is every collection when it cannot be told", () => {
    const compressed = opMsg({ insert: "jobs" });
    compressed.writeInt32LE(2012, 12); // OP_COMPRESSED
    expect(writeLockKey(compressed)).toBe("*");
    expect(writeLockKey(opMsg({ delete: 5, $db: "x" }))).toBe("*");
  });
});

/** Lets every pending promise callback run, so a lock that could be granted is granted. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await tick();
}

describe("CollectionLocks", () => {
  it("writes to different collections do not wait for each other", async () => {
    const locks = new CollectionLocks();
    const releaseA = await locks.lock("a");
    let b: (() => void) | undefined;
    void locks.lock("b").then((r) => {
      b = r;
    });
    await waitFor("the lock of b while a is held", () => b !== undefined);
    releaseA();
    b?.();
  });

  it("writes to one collection run one at a time, in order", async () => {
    const locks = new CollectionLocks();
    const order: string[] = [];
    const first = await locks.lock("a");
    const second = locks.lock("a").then((r) => {
      order.push("second");
      return r;
    });
    await settle();
    expect(order).toEqual([]);
    order.push("first released");
    first();
    (await second)();
    expect(order).toEqual(["first released", "second"]);
  });

  it('"*" waits for every collection and holds them all', async () => {
    const locks = new CollectionLocks();
    const a = await locks.lock("a");
    let all: (() => void) | undefined;
    void locks.lock("*").then((r) => {
      all = r;
    });
    await settle();
    expect(all).toBeUndefined();
    a();
    await waitFor('the "*" lock once a is released', () => all !== undefined);
    let b: (() => void) | undefined;
    void locks.lock("b").then((r) => {
      b = r;
    });
    await settle();
    expect(b).toBeUndefined();
    all?.();
    await waitFor('b once "*" is released', () => b !== undefined);
    b?.();
  });
});
