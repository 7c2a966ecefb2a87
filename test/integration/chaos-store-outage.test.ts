// Short scenario 4 (see docs/reliability.md): FerretDB killed during an apply and during a worker
// batch. It kills the store, so it starts an embedded FerretDB of its own (never the shared one).
import { describe, expect, it } from "vitest";
import { run } from "../chaos/store-outage.js";

describe("chaos: store outage (short)", () => {
  it("records no half-applied revision, converges, and the worker loses nothing", async () => {
    const r = await run({ scale: "short" });
    expect(r.failures).toEqual([]);
  }, 600_000);
});
