import { describe, expect, it } from "vitest";
import type { Change } from "../../src/jobs/types.js";
import { chunks } from "../../src/jobs/writes.js";

const change = (action: Change["action"], i: number) => ({ action, key: `k${i}` }) as unknown as Change;

describe("apply chunks", () => {
  it("keeps order, caps a chunk at 1,000 changes and 50 updates", () => {
    const changes = [
      ...Array.from({ length: 120 }, (_, i) => change("delete", i)),
      ...Array.from({ length: 130 }, (_, i) => change("update", i)),
      ...Array.from({ length: 2100 }, (_, i) => change("create", i)),
    ];
    const out = [...chunks(changes)];
    expect(out.flat()).toEqual(changes);
    for (const c of out) {
      expect(c.length).toBeLessThanOrEqual(1000);
      expect(c.filter((x) => x.action === "update").length).toBeLessThanOrEqual(50);
    }
    expect(out.map((c) => c.length)).toEqual([170, 50, 1000, 1000, 130]);
  });
});
