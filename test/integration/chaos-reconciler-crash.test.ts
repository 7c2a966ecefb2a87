// The short version of chaos scenario 2 (test/chaos/reconciler-crash.ts): SIGKILLed applies of a
// ~3k-job revision, then a clean rerun must leave exactly that revision's jobs.
import { describe, expect, it } from "vitest";
import { run } from "../chaos/reconciler-crash.js";

describe("chaos: reconciler crash (short)", () => {
  it("ends with the jobs of the newest revision exactly", { timeout: 300_000 }, async () => {
    const r = await run({ scale: "short" });
    expect(r.failures).toEqual([]);
    expect(r.goalsMet).toBe(true);
  });
});
