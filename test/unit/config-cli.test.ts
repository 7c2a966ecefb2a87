// validate / explain / init: the report formats, path resolution, explain text and the scaffold.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { explainText } from "../../src/cli/views/explain.js";
import { formatReport } from "../../src/cli/views/validate.js";
import { findTarget } from "../../src/config/explain.js";
import { loadSchedules } from "../../src/config/load.js";
import { locateSchedules } from "../../src/config/repo-root.js";
import { scaffold } from "../../src/config/scaffold.js";

const REPO = join(import.meta.dirname, "../..");
const BAD = new Map([
  [
    "schedules/a.yaml",
    "apiVersion: schedsync/v1\nkind: Merchant\nmetadata: { id: acme }\nspec:\n  services: { inventory: automatic }\n",
  ],
]);

describe("validate report", () => {
  it("prints text, json and github formats", async () => {
    const bad = await loadSchedules({ rootDir: "/x", files: BAD });
    const message =
      'services.inventory: "automatic" is only available for orderDelivery, shipmentUpload, inventoryUpload';
    expect(formatReport(bad, "text", "schedules").split("\n")).toEqual([
      `schedules/a.yaml:5:26: error: ${message}`,
      "schedules: 1 error in 1 document",
    ]);
    expect(JSON.parse(formatReport(bad, "json", "schedules"))).toEqual({
      valid: false,
      errors: [{ file: "schedules/a.yaml", line: 5, column: 26, message }],
      documents: 1,
    });
    expect(formatReport(bad, "github", "schedules")).toBe(
      `::error file=schedules/a.yaml,line=5,col=26::${message}`,
    );
    const good = await loadSchedules({ rootDir: REPO });
    expect(JSON.parse(formatReport(good, "json", "schedules"))).toMatchObject({ valid: true, errors: [] });
    expect(formatReport(good, "text", "schedules")).toMatch(
      /^schedules: valid \(\d+ documents: \d+ merchants/,
    );
  });

  it("escapes GitHub workflow command data", async () => {
    const files = new Map([["schedules/a,b:c.yaml", "a: [1\n"]]);
    const out = formatReport(await loadSchedules({ rootDir: "/x", files }), "github", "schedules");
    expect(out).toMatch(/^::error file=schedules\/a%2Cb%3Ac\.yaml,line=\d+,col=\d+::YAML syntax error/);
    expect(out).not.toMatch(/\n/);
  });

  it("resolves paths against the git top level", async () => {
    expect(await locateSchedules("schedules", REPO)).toEqual({ rootDir: REPO, dir: "schedules" });
    expect(await locateSchedules(".", join(REPO, "schedules"))).toEqual({ rootDir: REPO, dir: "schedules" });
    const outside = await locateSchedules("/", REPO);
    expect(outside.dir).toBe(".");
  });
});

describe("explain", () => {
  it("shows effective frequencies and next runs in local time and UTC", async () => {
    const loaded = await loadSchedules({ rootDir: REPO });
    if (!loaded.ok) throw new Error("example schedules invalid");
    const target = findTarget(loaded.model, "acme/shopify-us");
    if (typeof target === "string") throw new Error(target);
    const text = explainText(target, new Date("2026-01-05T12:00:00Z"), 2);
    expect(text).toContain("Cart acme/shopify-us (Shopify US store)");
    expect(text).toContain('inventoryUpload: { at: [ "06:00", "18:00" ] }');
    expect(text).toContain("Mon 2026-01-05 18:00 CST  |  2026-01-06 00:00 UTC");
    expect(text).toContain("Tue 2026-01-06 06:00 CST  |  2026-01-06 12:00 UTC");
    expect(text).toContain("shipmentUpload: automatic\n  runs as soon as records arrive");
    const bluebird = findTarget(loaded.model, "bluebird");
    if (typeof bluebird === "string") throw new Error(bluebird);
    // shippingConfirmations is not written for bluebird: it comes from the Defaults document.
    expect(explainText(bluebird, new Date("2026-01-05T12:00:00Z"), 1)).toContain(
      'shippingConfirmations: { every: "30m" }',
    );
    expect(findTarget(loaded.model, "nope")).toMatch(/no merchant "nope" \(merchants: acme, bluebird/);
    expect(findTarget(loaded.model, "acme/nope")).toMatch(/has no cart "nope" \(carts: amazon, shopify-us\)/);
  });
});

describe("init", () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("scaffolds schedules that validate, and refuses a non-empty directory", async () => {
    dir = await mkdtemp(join(tmpdir(), "schedsync-init-"));
    const written = await scaffold(join(dir, "schedules"));
    expect(written.some((f) => f.endsWith("schedule.schema.json"))).toBe(true);
    const result = await loadSchedules({ rootDir: dir });
    expect(result.ok).toBe(true);
    await expect(scaffold(join(dir, "schedules"))).rejects.toThrow(/not empty/);
  });
});
