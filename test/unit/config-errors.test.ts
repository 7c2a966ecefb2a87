// Every error the loader reports, checked against markers in the fixtures: a line ending in
// `# ERROR <regex>` must get exactly the errors its markers name, and no other line any.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSchedules } from "../../src/config/load.js";

const ROOT = join(import.meta.dirname, "../fixtures/config");
const CASES = readdirSync(join(ROOT, "errors")).filter((n) => n !== "no-schedules");

function yamlFiles(rel: string): string[] {
  const abs = join(ROOT, rel);
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs)
    .filter((n) => n.endsWith(".yaml"))
    .map((n) => `${rel}/${n}`);
}

function markers(rel: string): { file: string; line: number; pattern: RegExp }[] {
  const out: { file: string; line: number; pattern: RegExp }[] = [];
  readFileSync(join(ROOT, rel), "utf8")
    .split("\n")
    .forEach((text, i) => {
      for (const m of text.split(" # ERROR ").slice(1))
        out.push({ file: rel, line: i + 1, pattern: new RegExp(m) });
    });
  return out;
}

describe("loader errors (fixtures with # ERROR markers)", () => {
  for (const name of CASES) {
    it(name, async () => {
      const expected = yamlFiles(`errors/${name}`).flatMap(markers);
      expect(expected.length).toBeGreaterThan(0);
      const result = await loadSchedules({ rootDir: ROOT, dir: `errors/${name}` });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const got = result.errors.map((e) => `${e.file}:${e.line}: ${e.message}`);
      for (const want of expected) {
        const hit = result.errors.find(
          (e) => e.file === want.file && e.line === want.line && want.pattern.test(e.message),
        );
        expect(hit, `${want.file}:${want.line} ${want.pattern}\n got:\n${got.join("\n")}`).toBeDefined();
      }
      expect(got).toHaveLength(expected.length);
      for (const e of result.errors) expect(e.column).toBeGreaterThan(0);
    });
  }

  it("reports errors sorted by file, then line", async () => {
    const result = await loadSchedules({ rootDir: ROOT, dir: "errors" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const keys = result.errors.map((e) => [e.file, e.line] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    expect(keys).toEqual(sorted);
  });

  it("fails closed when there are no schedules", async () => {
    const result = await loadSchedules({ rootDir: ROOT, dir: "errors/no-schedules" });
    expect(result).toEqual({
      ok: false,
      documents: 0,
      errors: [
        {
          file: "errors/no-schedules",
          line: 1,
          column: 1,
          message: "no schedules found: no *.yaml or *.yml documents under errors/no-schedules",
        },
      ],
    });
    const missing = await loadSchedules({ rootDir: ROOT, dir: "does-not-exist" });
    expect(missing.ok).toBe(false);
  });

  it("fails closed when only Defaults exist", async () => {
    const files = new Map([["schedules/d.yaml", "apiVersion: schedsync/v1\nkind: Defaults\nspec: {}\n"]]);
    const result = await loadSchedules({ rootDir: "/nonexistent", files });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toMatch(/no Merchant document/);
  });
});
