// Source patches applied to FerretDB v1.24.2 before schedsync builds it. Each one fixes a
// measured defect of that (end-of-life) release; each must match exactly once, so a version
// bump fails the build loudly instead of silently dropping a fix.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface SourcePatch {
  file: string;
  find: string;
  replace: string;
  why: string;
}

/** Bump when the list (or ferretdb-pushdown.ts) changes: it names the cached binary, so old builds are not reused. */
export const PATCH_LEVEL = 5;

export const FERRETDB_PATCHES: SourcePatch[] = [
  {
    file: "internal/backends/sqlite/metadata/metadata.go",
    find: `IDColumn = DefaultColumn + "->'$._id'"`,
    replace: `IDColumn = DefaultColumn + "->'_id'"`,
    why:
      'the unique _id index is built on `_ferretdb_sjson->"_id"`, but every _id lookup, update ' +
      "and delete queried `->'$._id'`, which SQLite does not match to that index: each one scanned " +
      "the whole table (500 updates by _id on 3,000 documents: 4.7 s → 0.39 s with this patch)",
  },
];

export async function applyPatches(srcDir: string, patches = FERRETDB_PATCHES): Promise<void> {
  for (const p of patches) {
    const path = join(srcDir, p.file);
    const text = await readFile(path, "utf8");
    const count = text.split(p.find).length - 1;
    if (count !== 1) {
      throw new Error(
        `FerretDB source patch for ${p.file} matched ${count} times (expected once): ${p.find}`,
      );
    }
    await writeFile(path, text.replace(p.find, p.replace));
  }
}
