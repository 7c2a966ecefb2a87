// Short scenario 2 (see docs/reliability.md): SIGKILL `apply` at random points, then one clean
// rerun; the jobs equal the revision exactly.
import { describe, expect, it } from "vitest";
import { run } from "../chaos/reconciler-crash.js";
import { storeUri } from "../helpers/db.js";

describe("chaos: reconciler crash (short)", () => {
  it("converges to the revision after SIGKILLed applies", async () => {
    const r = await run({ scale: "short", storeUri: storeUri() });
    expect(r.failures).toEqual([]);
  }, 600_000);
});
