import { BSON } from "mongodb";
import { describe, expect, it } from "vitest";
import { commandName } from "../../src/store/write-serializer.js";

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
