// Short scenario 6 (see docs/reliability.md): a WMS that hangs, drips, floods, lies and 429s.
import { describe, expect, it } from "vitest";
import { run } from "../chaos/hostile-peer.js";
import { storeUri } from "../helpers/db.js";

describe("chaos: hostile network peer (short)", () => {
  it("ends every batch within its bound, in bounded memory, marking only acknowledged records", async () => {
    const r = await run({ scale: "short", storeUri: storeUri() });
    expect(r.failures).toEqual([]);
  }, 600_000);
});
