// One store for the whole test run: MONGODB_URI when set, else an embedded FerretDB in a fresh
// temp data dir. Each test file then uses its own database (test/helpers/db.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbedded } from "../src/store/embedded.js";

declare module "vitest" {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.MONGODB_URI) {
    project.provide("mongoUri", process.env.MONGODB_URI);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), "schedsync-test-store-"));
  const server = await startEmbedded({ dataDir: dir, lingerMs: 0, log: (l) => console.log(l) });
  project.provide("mongoUri", server.uri);
  return async () => {
    await server.release();
    // The supervisor stops FerretDB within a second of the last client leaving.
    await new Promise((r) => setTimeout(r, 1_500));
    await rm(dir, { recursive: true, force: true });
  };
}
