// Short scenario 7 (see docs/reliability.md): no secret in any output, page or stored document.
import { describe, expect, it } from "vitest";
import { run } from "../chaos/secrets.js";
import { storeUri } from "../helpers/db.js";

describe("chaos: secrets (short)", () => {
  it("finds none of the three secrets anywhere", async () => {
    const r = await run({ scale: "short", storeUri: storeUri() });
    expect(r.failures).toEqual([]);
  }, 300_000);
});
