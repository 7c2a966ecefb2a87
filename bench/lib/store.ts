// The store a benchmark runs on: MONGODB_URI when set, else an embedded FerretDB in a temp dir,
// stopped and removed afterwards.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbedded } from "../../src/store/embedded.js";

export async function withBenchStore<T>(fn: (uri: string, label: string) => Promise<T>): Promise<T> {
  if (process.env.MONGODB_URI) return fn(process.env.MONGODB_URI, "MONGODB_URI");
  const dataDir = await mkdtemp(join(tmpdir(), "schedsync-bench-"));
  const server = await startEmbedded({ dataDir, lingerMs: 0 });
  try {
    return await fn(server.uri, "embedded FerretDB");
  } finally {
    await server.release();
    await rm(dataDir, { recursive: true, force: true });
  }
}
