// Short scenario 1 (see docs/reliability.md): 3 http workers, 3 SIGKILLs mid-delivery; nothing lost,
// nothing accepted under two keys, drained after the last kill.
import { describe, expect, it } from "vitest";
import { run } from "../chaos/worker-crash.js";
import { storeUri } from "../helpers/db.js";

describe("chaos: worker crash (short)", () => {
  it("loses no record and delivers none under two idempotency keys", async () => {
    const r = await run({ scale: "short", storeUri: storeUri() });
    expect(r.failures).toEqual([]);
  }, 180_000);
});
