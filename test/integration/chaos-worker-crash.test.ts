// Short scenario 1 (see docs/reliability.md): 3 http workers, 3 SIGKILLs mid-delivery; nothing lost,
// nothing accepted under two keys, drained after the last kill. The timeout is far above the usual
// ~20 s (alone): on a busy machine the drain takes minutes; the scenario's own stall bound ends a hang.
import { describe, expect, it } from "vitest";
import { run } from "../chaos/worker-crash.js";
import { storeUri } from "../helpers/db.js";

describe("chaos: worker crash (short)", () => {
  it("loses no record and delivers none under two idempotency keys", async () => {
    const r = await run({ scale: "short", storeUri: storeUri() });
    expect(r.failures).toEqual([]);
  }, 900_000);
});
