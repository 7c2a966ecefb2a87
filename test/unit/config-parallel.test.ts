// Parsing on worker threads (src/config/parallel-read.ts) must give what parsing one file after
// another gives: the same errors, warnings and model, byte for byte. Worker threads run compiled
// JavaScript, so this test loads the built loader (dist/, `npm run build`).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceFile } from "../../src/config/files.js";
import type { LoadOptions, LoadResult } from "../../src/config/load.js";

const REPO = join(import.meta.dirname, "../..");
const DIST = join(REPO, "dist/config");
const FIXTURES = join(import.meta.dirname, "../fixtures/config");

type Load = (opts: LoadOptions) => Promise<LoadResult>;
let loadSchedules: Load;
let parseThreads: (files: readonly SourceFile[]) => number;
let root: string;

function merchant(i: number): string {
  return `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: m${i} }
spec:
  timezone: ${i % 2 ? "America/New_York" : "Europe/Berlin"}
  services:
    inventory: { every: ${(i % 4) + 1}5m }
    orderDelivery: { automatic: { maxBatch: ${i % 9 === 0 ? "0999999" : 100} } }
  connection: { type: sandbox${i % 13 === 0 ? ", orderRatePerMinute: 5" : ""} }
---
apiVersion: schedsync/v1
kind: Cart
metadata: { id: c1, merchant: m${i % 17 === 0 ? i + 100_000 : i} }
spec:
  services:
    orderDownload: ${i % 11 === 0 ? '{ cron: "61 * * * *" }' : '{ at: ["06:00"] }'}
  connection: { type: sandbox }
`;
}

async function repo(name: string, files: [string, string | Buffer][]): Promise<string> {
  const dir = join(root, name);
  for (const [path, text] of files) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/** serial and parallel loads of the same tree, as JSON. */
async function both(rootDir: string, dir: string): Promise<{ serial: string; parallel: string[] }> {
  const serial = JSON.stringify(await loadSchedules({ rootDir, dir, threads: 1 }));
  const parallel: string[] = [];
  for (const threads of [2, 3]) parallel.push(JSON.stringify(await loadSchedules({ rootDir, dir, threads })));
  return { serial, parallel };
}

beforeAll(async () => {
  if (!existsSync(join(DIST, "parse-worker.js")))
    throw new Error("dist/ is missing or stale: run npm run build before this test");
  ({ loadSchedules } = (await import(pathToFileURL(join(DIST, "load.js")).href)) as { loadSchedules: Load });
  ({ parseThreads } = (await import(pathToFileURL(join(DIST, "parallel-read.js")).href)) as {
    parseThreads: typeof parseThreads;
  });
  root = await mkdtemp(join(tmpdir(), "schedsync-parallel-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("loading on worker threads", () => {
  it("reports the same errors at the same file:line:col as loading serially, over many files", async () => {
    const files: [string, string | Buffer][] = [];
    for (let i = 0; i < 340; i++) files.push([`schedules/t${i % 7}/m${i}.yaml`, merchant(i)]);
    // One of each kind of file-level problem, spread over the batches.
    files.push(["schedules/t1/syntax.yaml", "apiVersion: schedsync/v1\nkind: [Merchant\n"]);
    files.push(["schedules/t2/binary.yaml", Buffer.from([0x61, 0x3a, 0xff, 0xfe, 0x0a])]);
    files.push(["schedules/t3/nul.yaml", "a: 1\n\0\n"]);
    files.push(["schedules/t4/dup.yaml", merchant(5)]);
    files.push(["schedules/t5/empty.yaml", "# nothing\n"]);
    const dir = await repo("errors", files);
    const { serial, parallel } = await both(dir, "schedules");
    const result = JSON.parse(serial) as LoadResult;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.length).toBeGreaterThan(40);
    for (const kind of ["UTF-8", "NUL byte", "duplicate merchant id", "is not defined", "0999999"])
      expect(serial).toContain(kind);
    for (const p of parallel) expect(p).toBe(serial);
  });

  it("builds the same model and warnings as loading serially", async () => {
    const files: [string, string][] = [];
    for (let i = 1; i < 260; i++)
      if (i % 9 && i % 11 && i % 17) files.push([`schedules/m${i}.yaml`, merchant(i)]);
    const dir = await repo("valid", files);
    const { serial, parallel } = await both(dir, "schedules");
    const result = JSON.parse(serial) as LoadResult;
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.warnings.length).toBeGreaterThan(0);
    for (const p of parallel) expect(p).toBe(serial);
  });

  it("gives the test fixtures' errors unchanged", async () => {
    for (const dir of ["errors", "valid"]) {
      const { serial, parallel } = await both(FIXTURES, dir);
      for (const p of parallel) expect(p).toBe(serial);
    }
  });

  it("is used only for large file sets", () => {
    const file = (bytes: number): SourceFile => ({ file: "a.yaml", content: "x".repeat(bytes) });
    expect(parseThreads([file(1000)])).toBe(1);
    expect(parseThreads(Array.from({ length: 2000 }, () => file(1000)))).toBe(
      Math.min(availableParallelism(), 4),
    );
  });
});
