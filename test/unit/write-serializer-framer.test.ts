import { describe, expect, it } from "vitest";
import { framer } from "../../src/store/write-serializer.js";
import { rng } from "../helpers/rng.js";

function message(body: number, fill: number): Buffer {
  const b = Buffer.alloc(16 + body, fill);
  b.writeInt32LE(16 + body, 0);
  return b;
}

describe("write serializer framer", () => {
  it("gives back whole messages whatever the chunk boundaries", () => {
    const random = rng(7);
    for (let round = 0; round < 50; round++) {
      const msgs = Array.from({ length: 1 + Math.floor(random() * 8) }, (_, i) =>
        message(Math.floor(random() * 5000), i + 1),
      );
      const stream = Buffer.concat(msgs);
      const got: Buffer[] = [];
      const feed = framer((m) => got.push(Buffer.from(m)));
      for (let at = 0; at < stream.length; ) {
        const n = 1 + Math.floor(random() * 700);
        feed(stream.subarray(at, at + n));
        at += n;
      }
      expect(got).toEqual(msgs);
    }
  });
});
