// Short scenario 3 (see docs/reliability.md): 3 applies at once over 6 revisions; the newest wins.
import { describe, expect, it } from "vitest";
import { run } from "../chaos/concurrent-reconcilers.js";
import { storeUri } from "../helpers/db.js";

describe("chaos: concurrent reconcilers (short)", () => {
  it("ends on the newest revision with no interleaved applies", async () => {
    const r = await run({ scale: "short", storeUri: storeUri() });
    expect(r.failures).toEqual([]);
  }, 300_000);
});
