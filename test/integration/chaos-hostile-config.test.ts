// The short run of chaos scenario 5 (hostile-config); the full one is `npm run chaos -- hostile-config`.
import { describe, expect, it } from "vitest";
import { run } from "../chaos/hostile-config.js";

describe("chaos: hostile config (short)", () => {
  it("refuses every hostile file with a located error, without crashing", async () => {
    const r = await run({ scale: "short" });
    expect(r.failures).toEqual([]);
    expect(r.figures.documents).toBeGreaterThanOrEqual(1_000);
  }, 300_000);
});
