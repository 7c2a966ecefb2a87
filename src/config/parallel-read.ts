// Parsing many files on every core: YAML parsing is most of a large repo's load time (10,000 files
// of 4 documents: ~5 s of one core), and files are independent until the model is built. Worker
// threads run readYamlFile on batches of files; the results come back in file order, so errors and
// the model are the same as parsing here one file after another.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import type { SourceFile } from "./files.js";
import type { Limits } from "./limits.js";
import { fromWire, type ReadResult, readYamlFile, type WireResult } from "./yaml-read.js";

// Below this many bytes in all, starting threads (~50 ms each, a module load and a heap) costs more
// than they save (measured: docs/benchmarks.md, "Parallel parsing").
export const PARALLEL_MIN_BYTES = 1 << 20;
// Files per message: large enough that messaging is a small part, small enough to share the work
// evenly when one thread gets less CPU than the other on a busy machine.
const BATCH_FILES = 100;
const WORKER = new URL("./parse-worker.js", import.meta.url);

/**
 * How many threads to parse `files` with: 1 (here, no worker) below PARALLEL_MIN_BYTES, when the
 * machine has one core, or when no compiled worker is beside this module (running from the .ts
 * sources, as the unit tests do); else one per core, at most 4.
 */
export function parseThreads(files: readonly SourceFile[]): number {
  let bytes = 0;
  for (const f of files) bytes += f.content.length;
  if (bytes < PARALLEL_MIN_BYTES || !existsSync(fileURLToPath(WORKER))) return 1;
  return Math.min(availableParallelism(), 4);
}

/**
 * readYamlFile for each file, in order. With `threads` > 1 the files are parsed by that many worker
 * threads; the results are the same as with 1. Rejects if a thread fails (it never should).
 */
export async function readYamlFiles(
  files: readonly SourceFile[],
  limits: Limits,
  threads: number,
): Promise<ReadResult[]> {
  if (threads <= 1 || files.length < 2)
    return withPlainEnv(() => files.map(({ file, content }) => readYamlFile(file, content, limits)));
  const { Worker } = await import("node:worker_threads");
  const results = new Array<ReadResult>(files.length);
  let next = 0;
  const run = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      let pending = 0;
      const send = () => {
        if (next >= files.length) return;
        const from = next;
        next = Math.min(files.length, next + BATCH_FILES);
        pending++;
        worker.postMessage({ from, files: files.slice(from, next) });
      };
      worker.on("message", ({ from, results: batch }: { from: number; results: WireResult[] }) => {
        pending--;
        send();
        batch.forEach((wire, k) => {
          const f = files[from + k];
          if (f) results[from + k] = fromWire(f.file, f.content, wire);
        });
        if (pending === 0) resolve();
      });
      worker.on("error", reject);
      worker.on("exit", (code) => {
        if (pending > 0) reject(new Error(`a YAML parsing thread exited (code ${code}) before it finished`));
      });
      // Two batches in flight: the thread parses the next while this one is being received.
      send();
      send();
      if (pending === 0) resolve();
    });
  const workers = Array.from({ length: threads }, () => new Worker(WORKER, { workerData: { limits } }));
  try {
    await Promise.all(workers.map(run));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/**
 * Runs `fn` (synchronous: nothing else runs meanwhile) with process.env as a plain copy. yaml's
 * parser reads process.env.LOG_TOKENS once per token, and process.env is an accessor into the C
 * environment (~0.3 µs a read): 10,000 files of ~400 tokens spent about a second on it. Native code
 * and child processes are not involved while it runs; the real object is put back after.
 */
export function withPlainEnv<T>(fn: () => T): T {
  const env = process.env;
  process.env = { ...env };
  try {
    return fn();
  } finally {
    process.env = env;
  }
}
