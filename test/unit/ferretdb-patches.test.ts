// The FerretDB source patches apply exactly once, or the build stops with a clear error.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyPatches, FERRETDB_PATCHES } from "../../src/store/ferretdb-patches.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function sourceTree(text: (find: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "schedsync-patch-"));
  dirs.push(dir);
  for (const p of FERRETDB_PATCHES) {
    await mkdir(dirname(join(dir, p.file)), { recursive: true });
    await writeFile(join(dir, p.file), `package metadata\n\nconst (\n\t${text(p.find)}\n)\n`);
  }
  return dir;
}

describe("FerretDB source patches", () => {
  it("replaces each target once", async () => {
    const dir = await sourceTree((find) => find);
    await applyPatches(dir);
    for (const p of FERRETDB_PATCHES) {
      const text = await readFile(join(dir, p.file), "utf8");
      expect(text).toContain(p.replace);
      expect(text).not.toContain(p.find);
    }
  });

  it("fails when a target is missing (another FerretDB version) or ambiguous", async () => {
    await expect(applyPatches(await sourceTree(() => "x = 1"))).rejects.toThrow(/matched 0 times/);
    await expect(applyPatches(await sourceTree((f) => `${f}\n\t${f}`))).rejects.toThrow(/matched 2 times/);
  });
});
