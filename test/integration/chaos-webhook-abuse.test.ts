// The short run of chaos scenario 8 (webhook-abuse); the full one is `npm run chaos -- webhook-abuse`.
import { describe, expect, it } from "vitest";
import { run } from "../chaos/webhook-abuse.js";

describe("chaos: webhook abuse (short)", () => {
  it("refuses unsigned requests, ignores replays and coalesces reconciles under load", async () => {
    const r = await run({ scale: "short" });
    expect(r.failures).toEqual([]);
  }, 300_000);
});
