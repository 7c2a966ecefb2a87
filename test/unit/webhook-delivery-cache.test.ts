// Replay protection keeps a replayed id however many other deliveries arrive in between.
import { describe, expect, it } from "vitest";
import { DeliveryCache } from "../../src/server/webhook.js";

describe("DeliveryCache", () => {
  it("ignores a repeated id and forgets the least recently seen beyond its size", () => {
    const c = new DeliveryCache(3);
    expect(c.add("a")).toBe(true);
    expect(c.add("a")).toBe(false);
    for (const id of ["b", "c", "d"]) expect(c.add(id)).toBe(true);
    expect(c.add("a")).toBe(true); // dropped: three newer ids
  });

  it("keeps an id that keeps being replayed", () => {
    const c = new DeliveryCache(3);
    c.add("replayed");
    for (let i = 0; i < 100; i++) {
      c.add(`fresh-${i}`);
      expect(c.add("replayed")).toBe(false);
    }
  });
});
