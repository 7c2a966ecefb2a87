// A worker thread of parallel-read.ts: parses the batches of files it is sent with readYamlFile and
// posts back what it found, as plain data, in the order received.
import { parentPort, workerData } from "node:worker_threads";
import type { Limits } from "./limits.js";
import { readYamlFile, toWire } from "./yaml-read.js";

export interface Batch {
  /** Index of the batch's first file in the whole list. */
  from: number;
  files: { file: string; content: string | Uint8Array }[];
}

const limits = (workerData as { limits: Limits }).limits;
// This thread only parses: a plain copy of its environment spares yaml's per-token read of
// process.env.LOG_TOKENS the accessor's cost (see withPlainEnv in parallel-read.ts).
process.env = { ...process.env };

parentPort?.on("message", ({ from, files }: Batch) => {
  const results = files.map(({ file, content }) => {
    // A Buffer arrives as a plain Uint8Array; view the same bytes as a Buffer.
    const bytes =
      typeof content === "string" ? content : Buffer.from(content.buffer, content.byteOffset, content.length);
    return toWire(readYamlFile(file, bytes, limits));
  });
  parentPort?.postMessage({ from, results });
});
